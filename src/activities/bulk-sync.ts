import { PACE_SHARE } from './concurrency';
import type { ActivityDeps } from './deps';

export interface BulkSyncPageInput {
  connectionId: string;
  userId: string;
  /** The last booking id of the previous page; null for the first page. */
  after: string | null;
  limit: number;
  done: number;
  startedAt: string;
}

export interface BulkSyncPage {
  bookingIds: string[];
  /** False when the calendar account is gone: stop. */
  active: boolean;
  /** Booking syncs per second that keep this provider's per-user quota (may be fractional). */
  ratePerSecond: number;
}

export function createBulkSyncActivities(deps: ActivityDeps) {
  return {
    /** Records progress so far and returns the next page of bookings to bring into the calendar. */
    async bulkSyncPage(input: BulkSyncPageInput): Promise<BulkSyncPage> {
      const account = await deps.calendarAccounts.get(input.connectionId);
      if (!account || account.status === 'disconnected') return { bookingIds: [], active: false, ratePerSecond: 1 };
      const remaining = await deps.bulkSync.countConfirmedFutureBookings(input.userId, input.after);
      await deps.bulkSync.saveProgress(input.connectionId, {
        state: 'running',
        total: input.done + remaining,
        done: input.done,
        startedAt: input.startedAt,
      });
      let quota = 5;
      try {
        quota = deps.providers.calendar(account.provider).requestsPerSecondPerUser;
      } catch {
        // No calendar adapter for this provider in this deployment: the booking workflows will
        // report it per calendar; pace conservatively.
      }
      return {
        bookingIds: await deps.bulkSync.pageConfirmedFutureBookings(input.userId, input.after, input.limit),
        active: true,
        // The pace of every provider call: the writes these signals cause never wait for the budget.
        ratePerSecond: Math.max(1, Math.round(quota * PACE_SHARE * 100) / 100),
      };
    },

    /** Records the bulk sync as completed; returns the account's provider, for the notification that says so. */
    async finishBulkSync(input: { connectionId: string; done: number; startedAt: string }): Promise<{ provider: string | null }> {
      const account = await deps.calendarAccounts.get(input.connectionId);
      await deps.bulkSync.saveProgress(input.connectionId, {
        state: 'completed',
        total: input.done,
        done: input.done,
        startedAt: input.startedAt,
        finishedAt: new Date().toISOString(),
      });
      return { provider: account?.provider ?? null };
    },
  };
}
