import type { BusyConflict } from '../domain/busy-reports';
import { REPORT_BATCH } from './external-edits';
import type { Queryable } from './pool';

/** Bookings that overlap busy time in one of the user's calendars, and which of them were reported. */
export interface BusyConflictStore {
  /** Conflicts on the calendar account's busy times that were not reported yet. */
  unreported(accountId: string, userId: string): Promise<BusyConflict[]>;
  markReported(accountId: string, conflicts: Array<{ bookingId: string; busyStart: string; busyEnd: string }>): Promise<void>;
}

export class PgBusyConflictStore implements BusyConflictStore {
  constructor(private readonly db: Queryable) {}

  async unreported(accountId: string, userId: string): Promise<BusyConflict[]> {
    const { rows } = await this.db.query<{ booking_id: string; starts_at: Date; ends_at: Date }>(
      `SELECT DISTINCT b.booking_id, bi.starts_at, bi.ends_at
         FROM bookings b
         JOIN busy_intervals bi ON bi.connection_id = $1 AND bi.starts_at < b.end_at AND bi.ends_at > b.start_at
        WHERE b.status = 'confirmed' AND b.participant_user_ids @> ARRAY[$2]::text[] AND b.end_at > now()
          AND NOT EXISTS (SELECT 1 FROM reported_conflicts r
                           WHERE r.connection_id = $1 AND r.booking_id = b.booking_id AND r.starts_at = bi.starts_at AND r.ends_at = bi.ends_at)
        ORDER BY b.booking_id, bi.starts_at
        LIMIT $3`,
      [accountId, userId, REPORT_BATCH],
    );
    return rows.map((r) => ({
      bookingId: r.booking_id,
      userId,
      connectionId: accountId,
      busyStart: r.starts_at.toISOString(),
      busyEnd: r.ends_at.toISOString(),
    }));
  }

  async markReported(accountId: string, conflicts: Array<{ bookingId: string; busyStart: string; busyEnd: string }>): Promise<void> {
    if (conflicts.length === 0) return;
    await this.db.query(
      `INSERT INTO reported_conflicts (connection_id, booking_id, starts_at, ends_at)
       SELECT $1, b, s, e FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS t(b, s, e)
       ON CONFLICT DO NOTHING`,
      [accountId, conflicts.map((c) => c.bookingId), conflicts.map((c) => c.busyStart), conflicts.map((c) => c.busyEnd)],
    );
  }
}
