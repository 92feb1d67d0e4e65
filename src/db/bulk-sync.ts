import type { Queryable } from './pool';

export interface BulkSyncProgress {
  /** `stopped`: cancelled by a disconnect before it completed. */
  state: 'running' | 'completed' | 'stopped';
  total: number;
  done: number;
  startedAt: string;
  finishedAt?: string;
}

/** A page of the user's confirmed bookings that have not ended, in booking-id order. */
export async function pageConfirmedFutureBookings(db: Queryable, userId: string, after: string | null, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ booking_id: string }>(
    `SELECT booking_id FROM bookings
      WHERE participant_user_ids @> ARRAY[$1]::text[] AND status = 'confirmed' AND end_at > now()
        AND ($2::text IS NULL OR booking_id > $2)
      ORDER BY booking_id LIMIT $3`,
    [userId, after, limit],
  );
  return rows.map((r) => r.booking_id);
}

/** How many of them come after `after` (all when null): what is left to do. */
export async function countConfirmedFutureBookings(db: Queryable, userId: string, after: string | null): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM bookings
      WHERE participant_user_ids @> ARRAY[$1]::text[] AND status = 'confirmed' AND end_at > now()
        AND ($2::text IS NULL OR booking_id > $2)`,
    [userId, after],
  );
  return rows[0]?.n ?? 0;
}

export async function saveBulkSyncProgress(db: Queryable, connectionId: string, progress: BulkSyncProgress): Promise<void> {
  await db.query('UPDATE calendar_connections SET bulk_sync = $2::jsonb WHERE id = $1', [connectionId, JSON.stringify(progress)]);
}
