import { Context } from '@temporalio/activity';
import type { EventToRemove } from '../domain/booking';
import type { ActivityDeps } from './deps';

export function createDisconnectActivities(deps: ActivityDeps) {
  return {
    /** Bookings that may still have an event of ours in this calendar. */
    async eventsToRemove(input: { connectionId: string; limit: number }): Promise<EventToRemove[]> {
      return deps.calendarEvents.toRemove(input.connectionId, input.limit);
    },

    /**
     * Disconnects a calendar account: revokes the grant at the provider (best effort: the user may have
     * revoked it already), erases its tokens and marks it disconnected.
     */
    async finalizeDisconnect(input: { connectionId: string }): Promise<void> {
      const account = await deps.calendarAccounts.get(input.connectionId);
      if (!account || account.status === 'disconnected') return;
      const token = await deps.calendarAccounts.revocableToken(input.connectionId);
      let detail = 'no token to revoke';
      if (token) {
        try {
          await deps.providers.oauth(account.provider).revoke(token, Context.current().cancellationSignal);
          detail = 'grant revoked at the provider';
        } catch (err) {
          detail = `revocation failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      await deps.calendarAccounts.markDisconnected(input.connectionId);
      await deps.syncLog.append([
        {
          connectionId: account.id,
          userId: account.userId,
          provider: account.provider,
          operation: 'disconnect',
          outcome: 'ok',
          detail,
        },
      ]);
    },
  };
}
