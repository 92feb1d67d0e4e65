import type { Pool } from 'pg';
import { withTransaction } from './pool';

/** What a connect attempt is: verifying CalDAV credentials, or starting an OAuth flow. */
export type ConnectAttemptKind = 'caldav' | 'oauth';

export type ConnectAttemptResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** The window the per-user attempt limit counts over. */
const WINDOW_MS = 60 * 60_000;

/** connect_attempts: a per-user sliding hour of connect attempts, shared by every API process. */
export interface ConnectAttemptStore {
  /**
   * Records an attempt when the user has made fewer than `perHour` in the last hour; otherwise
   * records nothing and says when the oldest counted attempt leaves the window.
   */
  tryRecord(userId: string, kind: ConnectAttemptKind, perHour: number): Promise<ConnectAttemptResult>;
}

export class PgConnectAttemptStore implements ConnectAttemptStore {
  constructor(private readonly pool: Pool) {}

  async tryRecord(userId: string, kind: ConnectAttemptKind, perHour: number): Promise<ConnectAttemptResult> {
    return withTransaction(this.pool, async (client) => {
      // Per user: concurrent attempts are counted one after the other, so none slips past the limit.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('connect_attempts:' || $1))`, [userId]);
      const { rows } = await client.query<{ n: string; oldest: Date | null }>(
        `SELECT count(*) AS n, min(attempted_at) AS oldest FROM connect_attempts
          WHERE user_id = $1 AND attempted_at > now() - $2 * interval '1 millisecond'`,
        [userId, WINDOW_MS],
      );
      const counted = Number(rows[0]?.n ?? 0);
      if (counted >= perHour) {
        const oldest = rows[0]?.oldest?.getTime() ?? Date.now();
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - Date.now()) / 1000)) };
      }
      await client.query('INSERT INTO connect_attempts (user_id, kind) VALUES ($1, $2)', [userId, kind]);
      // Attempts outside the window count for nothing: keep the table to the last hour.
      await client.query(`DELETE FROM connect_attempts WHERE attempted_at < now() - $1 * interval '1 millisecond'`, [WINDOW_MS]);
      return { ok: true };
    });
  }
}
