import type { ErasureCounts, UserSubject } from '../domain/personal-data';
import type { ActivityDeps } from './deps';

export interface EraseUserRowsInput {
  userId: string;
  subject: UserSubject;
}

/** The database side of erasing a user; the workflow orders the steps. */
export function createUserErasureActivities(deps: Pick<ActivityDeps, 'userErasures' | 'calendarAccounts'>) {
  return {
    /** Records that the erasure was asked for, under the user's hash only. */
    async beginUserErasure(input: { subject: UserSubject; removeEvents: boolean }): Promise<void> {
      await deps.userErasures.begin(input.subject, input.removeEvents);
    },

    /**
     * The user's accounts not yet disconnected, each stopped as a disconnect by its user stops it:
     * marked for event removal, or with sync off, before its workflow is asked to disconnect.
     */
    async stopUserAccounts(input: { userId: string; removeEvents: boolean }): Promise<string[]> {
      const accounts = await deps.userErasures.liveAccounts(input.userId);
      for (const { id } of accounts) {
        if (input.removeEvents) await deps.calendarAccounts.markRemovingEvents(id);
        else await deps.calendarAccounts.setSyncEnabled(id, false);
      }
      return accounts.map((a) => a.id);
    },

    /** The user's accounts still not disconnected. */
    async userAccountsLeft(input: { userId: string }): Promise<string[]> {
      return (await deps.userErasures.liveAccounts(input.userId)).map((a) => a.id);
    },

    /** The bookings naming the user, whose workflows are told to forget them. */
    async userBookingIds(input: { userId: string }): Promise<string[]> {
      return deps.userErasures.bookings(input.userId);
    },

    /** Deletes every row naming the user (one transaction) and records the counts. */
    async eraseUserRows(input: EraseUserRowsInput): Promise<ErasureCounts> {
      return deps.userErasures.erase(input.userId, input.subject);
    },
  };
}
