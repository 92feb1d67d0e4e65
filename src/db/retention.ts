import type { Pool } from 'pg';
import type { RetainedKind } from '../domain/personal-data';

/**
 * One batch of each kind, oldest first. A batch is small enough to hold locks briefly; the
 * retention workflow repeats it until a batch comes back short.
 */
const BATCH_SQL: Record<RetainedKind, string> = {
  syncLog: `DELETE FROM sync_log WHERE id IN (SELECT id FROM sync_log WHERE at < $1 ORDER BY at LIMIT $2)`,
  // Only settled ones: a pending notification is still being delivered.
  notifications: `DELETE FROM notifications WHERE id IN (
      SELECT id FROM notifications WHERE status IN ('delivered', 'failed') AND created_at < $1 ORDER BY created_at LIMIT $2)`,
  webhookReceipts: `DELETE FROM webhook_receipts WHERE id IN (
      SELECT id FROM webhook_receipts WHERE received_at < $1 AND applied_at IS NOT NULL ORDER BY received_at LIMIT $2)`,
  // Finished: cancelled (last changed before the cut-off) or ended before it. Their event links,
  // invitation records and reported conflicts go with them; the events in users' calendars stay.
  bookings: `WITH gone AS (
      DELETE FROM bookings WHERE booking_id IN (
        SELECT booking_id FROM bookings
         WHERE end_at < $1 OR (status = 'cancelled' AND updated_at < $1)
         ORDER BY end_at LIMIT $2)
      RETURNING booking_id),
    events AS (DELETE FROM calendar_events WHERE booking_id IN (SELECT booking_id FROM gone)),
    sends AS (DELETE FROM invitation_sends WHERE booking_id IN (SELECT booking_id FROM gone)),
    conflicts AS (DELETE FROM reported_conflicts WHERE booking_id IN (SELECT booking_id FROM gone))
    SELECT count(*)::int AS n FROM gone`,
};

/** Deletes what is past its retention, a batch at a time. */
export interface RetentionStore {
  /** Deletes up to `limit` rows of `kind` older than `before`; returns how many went. */
  deleteBatch(kind: RetainedKind, before: Date, limit: number): Promise<number>;
}

export class PgRetentionStore implements RetentionStore {
  constructor(private readonly pool: Pool) {}

  async deleteBatch(kind: RetainedKind, before: Date, limit: number): Promise<number> {
    const result = await this.pool.query<{ n: number }>(BATCH_SQL[kind], [before, limit]);
    return kind === 'bookings' ? (result.rows[0]?.n ?? 0) : (result.rowCount ?? 0);
  }
}
