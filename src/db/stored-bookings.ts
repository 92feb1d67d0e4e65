import type { BookingProjection } from '../domain/booking';
import { calendarView } from '../domain/booking-view';
import type { InvitationMethod } from '../domain/invitations';
import type { BookingPersonalSeal } from './booking-personal-data';
import { personalDataOf, toBookingDetails, type BookingRow } from './booking-row';
import type { Queryable } from './pool';
import type { CalendarEventRow } from './recorded-calendars';

/** One calendar's event of the booking as calendar_events records it. */
export interface StoredCalendarEvent {
  userId: string;
  connectionId: string;
  provider: string;
  state: 'synced' | 'deleted' | 'failed';
  revision: number;
  externalEventId?: string;
  calendarId?: string;
  lastError?: string;
  syncedAt?: string;
}

/** The last invitation mail a participant was sent for the booking. */
export interface StoredInvitation {
  userId: string;
  method: InvitationMethod;
  revision: number;
  sentAt: string;
}

/** Everything the database keeps of a booking: what a new workflow for it starts from when the old one is gone. */
export interface StoredBooking {
  projection: BookingProjection;
  calendars: StoredCalendarEvent[];
  invitations: StoredInvitation[];
}

export interface StoredBookingStore {
  /** Throws PersonalDataUnavailableError when the booking's personal data cannot be opened. */
  load(bookingId: string): Promise<StoredBooking | null>;
}

export class PgStoredBookingStore implements StoredBookingStore {
  constructor(
    private readonly db: Queryable,
    private readonly seal: BookingPersonalSeal,
  ) {}

  async load(bookingId: string): Promise<StoredBooking | null> {
    const { rows } = await this.db.query<BookingRow>('SELECT * FROM bookings WHERE booking_id = $1', [bookingId]);
    const row = rows[0];
    if (!row) return null;
    const personal = personalDataOf(row, this.seal);
    const [events, sends] = await Promise.all([
      this.db.query<CalendarEventRow>('SELECT * FROM calendar_events WHERE booking_id = $1 ORDER BY user_id, connection_id', [bookingId]),
      this.db.query<{ user_id: string; method: InvitationMethod; revision: number; sent_at: Date }>(
        // The newest mail per participant (a CANCEL sorts after the REQUEST of its revision).
        `SELECT DISTINCT ON (user_id) user_id, method, revision, sent_at FROM invitation_sends
          WHERE booking_id = $1 ORDER BY user_id, revision DESC, (method = 'CANCEL') DESC`,
        [bookingId],
      ),
    ]);
    return {
      projection: {
        bookingId,
        status: row.status,
        version: row.version === null ? null : Number(row.version),
        revision: row.revision,
        details: toBookingDetails(row, personal),
        ...(personal.cancelReason !== undefined ? { cancelReason: personal.cancelReason } : {}),
      },
      calendars: events.rows.map((e) => ({
        ...calendarView({
          userId: e.user_id,
          connectionId: e.connection_id,
          provider: e.provider,
          state: e.state,
          externalEventId: e.external_event_id,
          lastError: e.last_error,
          syncedAt: e.synced_at?.toISOString(),
        }),
        revision: e.revision,
        ...(e.calendar_id ? { calendarId: e.calendar_id } : {}),
      })),
      invitations: sends.rows.map((s) => ({ userId: s.user_id, method: s.method, revision: s.revision, sentAt: s.sent_at.toISOString() })),
    };
  }
}
