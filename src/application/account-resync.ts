import type { CalendarAccountStore } from '../db/calendar-accounts';
import type { CalendarAccount } from '../db/calendar-account-types';
import type { WorkflowGateway } from '../temporal/workflow-gateway';

export interface AccountResyncDeps {
  accounts: Pick<CalendarAccountStore, 'get' | 'listForUsers'>;
  workflows: Pick<WorkflowGateway, 'signalConnected'>;
}

/** A calendar account a resync passed over, and why (a bulk sync would write nothing there). */
export interface SkippedAccount {
  connectionId: string;
  reason: 'sync_off' | CalendarAccount['status'];
}

export interface ResyncOutcome {
  /** What the id named. */
  target: 'connection' | 'user';
  userId: string;
  /** The accounts whose bulk sync was asked for. */
  requested: string[];
  skipped: SkippedAccount[];
}

export type ResyncResult = { ok: true; value: ResyncOutcome } | { ok: false; error: 'not_found' };

/** Connection ids are UUIDs; anything else can only be a user id (and is never looked up as a connection). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function skipReason(account: CalendarAccount): SkippedAccount['reason'] | undefined {
  if (account.status !== 'active') return account.status;
  return account.syncEnabled ? undefined : 'sync_off';
}

/**
 * Asks a bulk sync of one calendar account (`id` is a connection id) or of every active account
 * of a user (`id` is a user id), through the account's workflow, as turning sync back on or
 * changing the calendar does: each booking is written again where it is missing or out of date.
 * Accounts not active, or with sync off, are skipped and said so.
 */
export async function resyncAccounts(deps: AccountResyncDeps, id: string): Promise<ResyncResult> {
  const connection = UUID.test(id) ? await deps.accounts.get(id) : undefined;
  const target = connection ? 'connection' : 'user';
  const accounts = connection ? [connection] : await deps.accounts.listForUsers([id]);
  if (accounts.length === 0) return { ok: false, error: 'not_found' };
  const requested: string[] = [];
  const skipped: SkippedAccount[] = [];
  for (const account of accounts) {
    const reason = skipReason(account);
    if (reason) {
      skipped.push({ connectionId: account.id, reason });
      continue;
    }
    await deps.workflows.signalConnected(account, true);
    requested.push(account.id);
  }
  return { ok: true, value: { target, userId: accounts[0]!.userId, requested, skipped } };
}
