import type { BookingProjection, BookingStatus, BookingView } from '../domain/booking';
import { bookingView } from '../domain/booking-view';
import { toBookingDetails, type BookingRow } from './booking-row';
import type { Queryable } from './pool';
import { recordedCalendar, recordedSyncState, type CalendarEventRow } from './recorded-calendars';

/** The bookings table: the workflows' projection of each booking, read when no workflow can answer. */
export interface BookingStore {
  /** Upserts the projection; a write of an older workflow revision (a late retry) changes nothing. */
  saveProjection(projection: BookingProjection): Promise<void>;
  loadStatus(bookingId: string): Promise<{ status: BookingStatus; revision: number } | null>;
  /**
   * The booking as the database last recorded it, for when no worker can answer the workflow's
   * state query, or when its workflow is gone (`workflowGone`: Temporal's retention removed it).
   * Calendars come from calendar_events, so skipped participants are not listed.
   */
  loadView(bookingId: string, workflowGone?: boolean): Promise<BookingView | null>;
  /** Confirmed bookings that have not ended (the open-bookings gauge). */
  countOpen(): Promise<number>;
}

export class PgBookingStore implements BookingStore {
  constructor(private readonly db: Queryable) {}

  async saveProjection(projection: BookingProjection): Promise<void> {
    const details = projection.details;
    await this.db.query(
      `INSERT INTO bookings (booking_id, status, version, revision, title, description, start_at, end_at, time_zone,
                             location, meeting_url, participants, participant_user_ids, cancel_reason, templates, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::text[], $14, $15::jsonb, now())
       ON CONFLICT (booking_id) DO UPDATE SET
         status = EXCLUDED.status, version = EXCLUDED.version, revision = EXCLUDED.revision, title = EXCLUDED.title,
         description = EXCLUDED.description, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
         time_zone = EXCLUDED.time_zone, location = EXCLUDED.location, meeting_url = EXCLUDED.meeting_url,
         participants = EXCLUDED.participants, participant_user_ids = EXCLUDED.participant_user_ids,
         cancel_reason = EXCLUDED.cancel_reason, templates = EXCLUDED.templates, updated_at = now()
       WHERE bookings.revision < EXCLUDED.revision`,
      [
        projection.bookingId,
        projection.status,
        projection.version,
        projection.revision,
        details.title,
        details.description ?? null,
        details.start,
        details.end,
        details.timeZone,
        details.location ?? null,
        details.meetingUrl ?? null,
        JSON.stringify(details.participants),
        details.participants.map((p) => p.userId),
        projection.cancelReason ?? null,
        details.templates ? JSON.stringify(details.templates) : null,
      ],
    );
  }

  async loadStatus(bookingId: string): Promise<{ status: BookingStatus; revision: number } | null> {
    const { rows } = await this.db.query<{ status: BookingStatus; revision: number }>(
      'SELECT status, revision FROM bookings WHERE booking_id = $1',
      [bookingId],
    );
    return rows[0] ?? null;
  }

  async loadView(bookingId: string, workflowGone = false): Promise<BookingView | null> {
    const { rows } = await this.db.query<BookingRow>('SELECT * FROM bookings WHERE booking_id = $1', [bookingId]);
    const booking = rows[0];
    if (!booking) return null;
    const events = await this.db.query<CalendarEventRow>(
      'SELECT * FROM calendar_events WHERE booking_id = $1 ORDER BY user_id, connection_id',
      [bookingId],
    );
    return bookingView(
      {
        bookingId,
        status: booking.status,
        version: booking.version === null ? null : Number(booking.version),
        details: toBookingDetails(booking),
        ...(booking.cancel_reason !== null ? { cancelReason: booking.cancel_reason } : {}),
      },
      events.rows.map(recordedCalendar),
      // A running workflow may hold more than the database knows; one that is gone does not.
      recordedSyncState(booking.revision, events.rows, !workflowGone),
    );
  }

  async countOpen(): Promise<number> {
    return Number(
      (await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM bookings WHERE status = 'confirmed' AND end_at > now()`)).rows[0]?.n ??
        0,
    );
  }
}
