import type { RequestHandler } from 'express';
import { requestContext } from './context';
import { findAccount, type SandboxState } from './state';
import type { AccountStats, SandboxStats } from './types';

/** Counts a request to an emulated Google surface; run after the caller is identified. */
export function countRequests(state: SandboxState): RequestHandler {
  return (req, _res, next) => {
    state.requests += 1;
    const email = requestContext(req).account;
    const account = email === undefined ? undefined : findAccount(state, email);
    if (account) account.stats.requests += 1;
    next();
  };
}

export function snapshotStats(state: SandboxState): SandboxStats {
  const byAccount: Record<string, AccountStats> = {};
  for (const account of state.accounts.values()) byAccount[account.email] = { ...account.stats };
  return { requests: state.requests, byAccount, faultsInjected: state.faultsInjected };
}
