import type { BookingProjection, BookingStatus, BookingView } from '../domain/booking';
import { bookingView } from '../domain/booking-view';
import { unsyncedUserIds, type BookingPersonalSeal } from './booking-personal-data';
import { personalDataOf, toBookingDetails, type BookingRow } from './booking-row';
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
   * Calendars come from calendar_events, so skipped participants are not listed. Throws
   * PersonalDataUnavailableError when the booking's personal data cannot be opened.
   */
  loadView(bookingId: string, workflowGone?: boolean): Promise<BookingView | null>;
  /** Confirmed bookings that have not ended (the open-bookings gauge). */
  countOpen(): Promise<number>;
}

export class PgBookingStore implements BookingStore {
  constructor(
    private readonly db: Queryable,
    private readonly seal: BookingPersonalSeal,
  ) {}

  /** The personal data is sealed in one value; the clear columns of the pre-0027 shape are emptied. */
  async saveProjection(projection: BookingProjection): Promise<void> {
    const { details, bookingId } = projection;
    const personal = this.seal.seal(bookingId, {
      title: details.title,
      participants: details.participants,
      ...(details.description !== undefined ? { description: details.description } : {}),
      ...(details.location !== undefined ? { location: details.location } : {}),
      ...(details.meetingUrl !== undefined ? { meetingUrl: details.meetingUrl } : {}),
      ...(projection.cancelReason !== undefined ? { cancelReason: projection.cancelReason } : {}),
      ...(details.templates !== undefined ? { templates: details.templates } : {}),
    });
    await this.db.query(
      `INSERT INTO bookings (booking_id, status, version, revision, start_at, end_at, time_zone,
                             participant_user_ids, unsynced_user_ids, personal_enc, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], $10, now())
       ON CONFLICT (booking_id) DO UPDATE SET
         status = EXCLUDED.status, version = EXCLUDED.version, revision = EXCLUDED.revision,
         start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, time_zone = EXCLUDED.time_zone,
         participant_user_ids = EXCLUDED.participant_user_ids, unsynced_user_ids = EXCLUDED.unsynced_user_ids,
         personal_enc = EXCLUDED.personal_enc, updated_at = now(),
         title = NULL, description = NULL, location = NULL, meeting_url = NULL, participants = NULL,
         cancel_reason = NULL, templates = NULL
       WHERE bookings.revision < EXCLUDED.revision`,
      [
        bookingId,
        projection.status,
        projection.version,
        projection.revision,
        details.start,
        details.end,
        details.timeZone,
        details.participants.map((p) => p.userId),
        unsyncedUserIds(details.participants),
        personal,
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
    const personal = personalDataOf(booking, this.seal);
    const events = await this.db.query<CalendarEventRow>(
      'SELECT * FROM calendar_events WHERE booking_id = $1 ORDER BY user_id, connection_id',
      [bookingId],
    );
    return bookingView(
      {
        bookingId,
        status: booking.status,
        version: booking.version === null ? null : Number(booking.version),
        details: toBookingDetails(booking, personal),
        ...(personal.cancelReason !== undefined ? { cancelReason: personal.cancelReason } : {}),
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
