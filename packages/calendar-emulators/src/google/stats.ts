import type { RequestHandler } from 'express';
import { countRequests as countSharedRequests } from '../shared/stats';
import { requestContext } from './context';
import { findAccount, type SandboxState } from './state';
import type { AccountStats, SandboxStats } from './types';

/** Counts a request to an emulated Google surface; run after the caller is identified. */
export function countRequests(state: SandboxState): RequestHandler {
  return countSharedRequests(state, (req) => {
    const email = requestContext(req).account;
    return email === undefined ? undefined : findAccount(state, email)?.stats;
  });
}

export function snapshotStats(state: SandboxState): SandboxStats {
  const byAccount: Record<string, AccountStats> = {};
  for (const account of state.accounts.values()) byAccount[account.email] = { ...account.stats };
  return {
    requests: state.requests,
    byAccount,
    faultsInjected: state.faultsInjected,
    notificationsDelivered: state.notifications.delivered,
    notificationsFailed: state.notifications.failed,
  };
}
