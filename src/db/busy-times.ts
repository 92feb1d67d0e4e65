import type { Pool } from 'pg';
import type { BusyInterval, BusyWindow } from '../providers/types';
import { withTransaction } from './pool';

export interface ConnectionBusy {
  connectionId: string;
  provider: string;
  /** When busy times were last read successfully; null: never yet. */
  syncedAt: Date | null;
  /** The window that read covered: outside it nothing is known. */
  window: { from: Date; to: Date } | null;
  lastError: string | null;
  intervals: Array<{ start: Date; end: Date }>;
}

/** Busy times per connection (migration 0010). */
export class BusyStore {
  constructor(private readonly pool: Pool) {}

  /** Replaces everything known for the connection with one fresh read of `window`. */
  async replace(connectionId: string, window: BusyWindow, intervals: BusyInterval[]): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM busy_intervals WHERE connection_id = $1', [connectionId]);
      if (intervals.length > 0) {
        await client.query(
          `INSERT INTO busy_intervals (connection_id, starts_at, ends_at)
           SELECT $1, s, e FROM unnest($2::timestamptz[], $3::timestamptz[]) AS t(s, e)`,
          [connectionId, intervals.map((i) => i.start), intervals.map((i) => i.end)],
        );
      }
      await client.query(
        `UPDATE calendar_connections SET busy_synced_at = now(), busy_window_from = $2, busy_window_to = $3, busy_error = NULL WHERE id = $1`,
        [connectionId, window.from, window.to],
      );
    });
  }

  async recordError(connectionId: string, message: string): Promise<void> {
    await this.pool.query('UPDATE calendar_connections SET busy_error = $2 WHERE id = $1', [connectionId, message.slice(0, 500)]);
  }

  /** The user's active connections with their busy intervals overlapping [from, to). */
  async forUser(userId: string, from: Date, to: Date): Promise<ConnectionBusy[]> {
    const { rows } = await this.pool.query<{
      id: string;
      provider: string;
      busy_synced_at: Date | null;
      busy_window_from: Date | null;
      busy_window_to: Date | null;
      busy_error: string | null;
      starts: Date[] | null;
      ends: Date[] | null;
    }>(
      `SELECT c.id, c.provider, c.busy_synced_at, c.busy_window_from, c.busy_window_to, c.busy_error,
              array_agg(b.starts_at ORDER BY b.starts_at) FILTER (WHERE b.starts_at IS NOT NULL) AS starts,
              array_agg(b.ends_at ORDER BY b.starts_at) FILTER (WHERE b.starts_at IS NOT NULL) AS ends
         FROM calendar_connections c
         LEFT JOIN busy_intervals b ON b.connection_id = c.id AND b.starts_at < $3 AND b.ends_at > $2
        WHERE c.user_id = $1 AND c.status <> 'disconnected'
        GROUP BY c.id
        ORDER BY c.created_at`,
      [userId, from, to],
    );
    return rows.map((r) => ({
      connectionId: r.id,
      provider: r.provider,
      syncedAt: r.busy_synced_at,
      window: r.busy_window_from && r.busy_window_to ? { from: r.busy_window_from, to: r.busy_window_to } : null,
      lastError: r.busy_error,
      intervals: (r.starts ?? []).map((s, i) => ({ start: s, end: r.ends![i]! })),
    }));
  }
}
