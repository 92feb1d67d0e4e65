import { appendSyncLog } from '../db/sync-log';
import type { ActivityDeps } from './deps';

export interface EventToRemove {
  bookingId: string;
  userId: string;
  revision: number;
  calendarId?: string;
}

export function createDisconnectActivities(deps: ActivityDeps) {
  return {
    /** Bookings that may still have an event of ours in this calendar. */
    async eventsToRemove(input: { connectionId: string; limit: number }): Promise<EventToRemove[]> {
      const { rows } = await deps.pool.query<{ booking_id: string; user_id: string; revision: number; calendar_id: string | null }>(
        `SELECT booking_id, user_id, revision, calendar_id FROM calendar_events
          WHERE connection_id = $1 AND state <> 'deleted' ORDER BY booking_id LIMIT $2`,
        [input.connectionId, input.limit],
      );
      return rows.map((r) => ({ bookingId: r.booking_id, userId: r.user_id, revision: r.revision, ...(r.calendar_id ? { calendarId: r.calendar_id } : {}) }));
    },

    /**
     * Ends a connection: revokes the grant at the provider (best effort: the user may have
     * revoked it already), erases its tokens and marks it disconnected.
     */
    async finalizeDisconnect(input: { connectionId: string }): Promise<void> {
      const connection = await deps.connections.get(input.connectionId);
      if (!connection || connection.status === 'disconnected') return;
      const token = await deps.connections.revocableToken(input.connectionId);
      let detail = 'no token to revoke';
      if (token) {
        try {
          await deps.providers.oauth(connection.provider).revoke(token);
          detail = 'grant revoked at the provider';
        } catch (err) {
          detail = `revocation failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      await deps.connections.markDisconnected(input.connectionId);
      await appendSyncLog(deps.pool, [
        { connectionId: connection.id, userId: connection.userId, provider: connection.provider, operation: 'disconnect', outcome: 'ok', detail },
      ]);
    },
  };
}
