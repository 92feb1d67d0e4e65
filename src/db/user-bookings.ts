import type { BookingStatus, BookingView } from '../domain/booking';
import { bookingView } from '../domain/booking-view';
import type { BookingPersonalSeal } from './booking-personal-data';
import { personalDataOf, toBookingDetails, type BookingRow } from './booking-row';
import type { Queryable } from './pool';
import { recordedCalendarWithEdit, recordedSyncState, type CalendarEventRow } from './recorded-calendars';

/** Where a page of a user's bookings ended: the last booking's start and id. */
export interface UserBookingsPosition {
  /** Microseconds since the epoch, as a decimal string (PostgreSQL's precision). */
  startMicros: string;
  bookingId: string;
}

export interface UserBookingsQuery {
  userId: string;
  status?: BookingStatus;
  /** Bookings that end after this instant. */
  from?: string;
  /** Bookings that start before this instant. */
  to?: string;
  after: UserBookingsPosition | null;
  limit: number;
}

export interface UserBookingsPage {
  bookings: BookingView[];
  next: UserBookingsPosition | null;
}

/** The bookings a user takes part in, as the database recorded them: for lists that outlive workflow histories. */
export interface UserBookingStore {
  /**
   * By start time, then id; the user's own edits of our events shown as on GET /v1/bookings/:id.
   * Throws PersonalDataUnavailableError when a booking's personal data on the page cannot be opened.
   */
  page(query: UserBookingsQuery): Promise<UserBookingsPage>;
}

export class PgUserBookingStore implements UserBookingStore {
  constructor(
    private readonly db: Queryable,
    private readonly seal: BookingPersonalSeal,
  ) {}

  async page(query: UserBookingsQuery): Promise<UserBookingsPage> {
    const { rows } = await this.db.query<BookingRow & { start_us: string }>(
      `SELECT b.*, (extract(epoch FROM b.start_at) * 1000000)::bigint::text AS start_us
         FROM bookings b
        WHERE b.participant_user_ids @> ARRAY[$1::text]
          AND ($2::text IS NULL OR b.status = $2)
          AND ($3::timestamptz IS NULL OR b.end_at > $3)
          AND ($4::timestamptz IS NULL OR b.start_at < $4)
          AND ($5::bigint IS NULL OR (b.start_at, b.booking_id) > (timestamptz 'epoch' + $5::bigint * interval '1 microsecond', $6::text))
        ORDER BY b.start_at, b.booking_id
        LIMIT $7`,
      [
        query.userId,
        query.status ?? null,
        query.from ?? null,
        query.to ?? null,
        query.after?.startMicros ?? null,
        query.after?.bookingId ?? '',
        query.limit + 1,
      ],
    );
    const more = rows.length > query.limit;
    const shown = more ? rows.slice(0, query.limit) : rows;
    const events = shown.length
      ? (
          await this.db.query<CalendarEventRow>(
            'SELECT * FROM calendar_events WHERE booking_id = ANY($1::text[]) ORDER BY booking_id, user_id, connection_id',
            [shown.map((row) => row.booking_id)],
          )
        ).rows
      : [];
    const bookings = shown.map((row) => {
      const mine = events.filter((event) => event.booking_id === row.booking_id);
      const personal = personalDataOf(row, this.seal);
      return bookingView(
        {
          bookingId: row.booking_id,
          status: row.status,
          version: row.version === null ? null : Number(row.version),
          details: toBookingDetails(row, personal),
          ...(personal.cancelReason !== undefined ? { cancelReason: personal.cancelReason } : {}),
        },
        mine.map(recordedCalendarWithEdit),
        // A list cannot ask each workflow: it says what the database can vouch for.
        recordedSyncState(row.revision, mine, false),
      );
    });
    const last = shown[shown.length - 1];
    return { bookings, next: more && last ? { startMicros: last.start_us, bookingId: last.booking_id } : null };
  }
}
