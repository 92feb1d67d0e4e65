import type { Queryable } from './pool';

export interface BulkSyncProgress {
  /** `stopped`: cancelled by a disconnect before it completed. */
  state: 'running' | 'completed' | 'stopped';
  total: number;
  done: number;
  startedAt: string;
  finishedAt?: string;
}

/** What bringing a user's existing bookings into a newly connected calendar reads and records. */
export interface BulkSyncStore {
  /** A page of the user's confirmed bookings that have not ended, in booking-id order. */
  pageConfirmedFutureBookings(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** How many of them come after `after` (all when null): what is left to do. */
  countConfirmedFutureBookings(userId: string, after: string | null): Promise<number>;
  saveProgress(accountId: string, progress: BulkSyncProgress): Promise<void>;
}

export class PgBulkSyncStore implements BulkSyncStore {
  constructor(private readonly db: Queryable) {}

  async pageConfirmedFutureBookings(userId: string, after: string | null, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ booking_id: string }>(
      `SELECT booking_id FROM bookings
        WHERE participant_user_ids @> ARRAY[$1]::text[] AND status = 'confirmed' AND end_at > now()
          AND ($2::text IS NULL OR booking_id > $2)
        ORDER BY booking_id LIMIT $3`,
      [userId, after, limit],
    );
    return rows.map((r) => r.booking_id);
  }

  async countConfirmedFutureBookings(userId: string, after: string | null): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bookings
        WHERE participant_user_ids @> ARRAY[$1]::text[] AND status = 'confirmed' AND end_at > now()
          AND ($2::text IS NULL OR booking_id > $2)`,
      [userId, after],
    );
    return rows[0]?.n ?? 0;
  }

  async saveProgress(accountId: string, progress: BulkSyncProgress): Promise<void> {
    await this.db.query('UPDATE calendar_connections SET bulk_sync = $2::jsonb WHERE id = $1', [accountId, JSON.stringify(progress)]);
  }
}
