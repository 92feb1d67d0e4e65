import { Context } from '@temporalio/activity';
import { checkCredentials } from '../account-access/credentials';
import type { EventNotRemoved, EventsNotRemoved } from '../db/calendar-accounts';
import { SecretUnavailableError } from '../db/sealed-columns';
import type { SyncLogEntry } from '../db/sync-log';
import type { EventToRemove, RemovalOutcome } from '../domain/booking';
import type { ActivityDeps } from './deps';

/** Why events stay when nothing else is known: the disconnect ended before they were removed. */
const NOT_REMOVED = 'It was not removed before the calendar was disconnected.';
/** Audit rows per INSERT (each takes 9 parameters; PostgreSQL allows 65,535). */
const AUDIT_BATCH = 1_000;

export function createDisconnectActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;

  /** What the disconnect left in the calendar: every event of ours still recorded there, each with why. */
  async function eventsLeft(connectionId: string, removal: RemovalOutcome): Promise<EventNotRemoved[]> {
    const refused = new Map(removal.refused.map((r) => [r.bookingId, r.reason]));
    const left = await deps.calendarEvents.leftInCalendar(connectionId);
    return left.map((e) => ({
      bookingId: e.bookingId,
      start: e.start?.toISOString() ?? null,
      reason: refused.get(e.bookingId) ?? removal.stoppedBecause ?? NOT_REMOVED,
    }));
  }

  /** The grant given back at the provider, best effort (the user may have revoked it already). */
  async function revoke(connectionId: string, provider: Parameters<ActivityDeps['providers']['oauth']>[0]): Promise<string> {
    let token: string | undefined;
    try {
      token = await deps.calendarAccounts.revocableToken(connectionId);
    } catch (err) {
      // A token sealed with a key that is gone cannot be revoked, and must not stop the disconnect.
      if (err instanceof SecretUnavailableError) return 'the stored grant cannot be read: not revoked';
      throw err;
    }
    if (!token) return 'no token to revoke';
    try {
      await deps.providers.oauth(provider).revoke(token, Context.current().cancellationSignal);
      return 'grant revoked at the provider';
    } catch (err) {
      return `revocation failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  return {
    /** Bookings that may still have an event of ours in this calendar, but those given up on (`skip`). */
    async eventsToRemove(input: { connectionId: string; limit: number; skip?: string[] }): Promise<EventToRemove[]> {
      return deps.calendarEvents.toRemove(input.connectionId, input.limit, input.skip);
    },

    /**
     * Whether events can be removed from the calendar at all now. `blockedBecause` (for the user)
     * when they cannot: the account needs reconnecting, is disconnected, or its stored
     * credentials cannot be read. An expired token is no block: the delete refreshes it.
     */
    async eventRemovalBlocked(input: { connectionId: string }): Promise<{ blockedBecause?: string }> {
      try {
        const check = await checkCredentials(deps.calendarAccounts, input.connectionId, now());
        if (check.kind === 'gone') return { blockedBecause: 'The calendar was disconnected already.' };
        if (check.kind === 'needs_reauth') {
          return { blockedBecause: 'The calendar needs to be reconnected, so events could not be removed from it.' };
        }
        return {};
      } catch (err) {
        if (err instanceof SecretUnavailableError) {
          return { blockedBecause: "The calendar's stored sign-in cannot be read any more, so events could not be removed from it." };
        }
        throw err;
      }
    },

    /**
     * Disconnects a calendar account: revokes the grant at the provider (best effort: the user
     * may have revoked it already), erases its tokens and marks it disconnected. After a removal
     * (`removal`), the events it could not remove are kept on the account (shown to the user)
     * and each is written to the sync log.
     */
    async finalizeDisconnect(input: { connectionId: string; removal?: RemovalOutcome }): Promise<void> {
      const account = await deps.calendarAccounts.get(input.connectionId);
      if (!account || account.status === 'disconnected') return;
      const report: EventsNotRemoved | undefined = input.removal
        ? { at: new Date(now()).toISOString(), events: await eventsLeft(account.id, input.removal) }
        : undefined;
      const detail = await revoke(account.id, account.provider);
      const who = { connectionId: account.id, userId: account.userId, provider: account.provider };
      const entries: SyncLogEntry[] = [
        {
          ...who,
          operation: 'disconnect',
          outcome: 'ok',
          detail: report?.events.length ? `${detail}; ${report.events.length} event(s) left in the calendar` : detail,
        },
        ...(report?.events ?? []).map((e): SyncLogEntry => ({
          ...who,
          bookingId: e.bookingId,
          operation: 'delete',
          outcome: 'failed',
          detail: `not removed at disconnect: ${e.reason}`,
        })),
      ];
      // Audited first: a retry after a failure between the two writes repeats the audit, never loses it.
      for (let i = 0; i < entries.length; i += AUDIT_BATCH) await deps.syncLog.append(entries.slice(i, i + AUDIT_BATCH));
      await deps.calendarAccounts.markDisconnected(account.id, report);
    },
  };
}
