import type { RequestHandler } from 'express';
import { countRequests as countSharedRequests } from '../shared/stats';
import { requestContext } from './context';
import { findAccount, type MicrosoftSandboxState } from './state';
import type { MicrosoftAccountStats, MicrosoftSandboxStats } from './types';

/** Counts a request to an emulated Microsoft surface; run after the caller is identified. */
export function countRequests(state: MicrosoftSandboxState): RequestHandler {
  return countSharedRequests(state, (req) => {
    const email = requestContext(req).account;
    return email === undefined ? undefined : findAccount(state, email)?.stats;
  });
}

export function snapshotStats(state: MicrosoftSandboxState): MicrosoftSandboxStats {
  const byAccount: Record<string, MicrosoftAccountStats> = {};
  for (const account of state.accounts.values()) byAccount[account.email] = { ...account.stats };
  return { requests: state.requests, byAccount, faultsInjected: state.faultsInjected };
}
