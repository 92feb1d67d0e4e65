import type { BookingProjection, BookingStatus, BookingView } from '../domain/booking';
import { bookingView } from '../domain/booking-view';
import { unsyncedUserIds, type BookingPersonalSeal } from './booking-personal-data';
import { personalDataOf, toBookingDetails, type BookingRow } from './booking-row';
import { COLUMNS, toCalendarAccount, type CalendarAccountRow } from './calendar-account-row';
import type { CalendarAccount } from './calendar-account-types';
import type { Queryable } from './pool';
import { recordedCalendar, recordedSyncState, type CalendarEventRow } from './recorded-calendars';

export interface ReconcilePreparation {
  bookingId: string;
  userIds: string[];
  /** Set when the desired state changed since the last save. */
  projection?: BookingProjection;
  /** A new workflow's first pass: what an earlier workflow left of the booking is read first. */
  firstPass: boolean;
}

export interface PreparedReconcile {
  prior: { status: BookingStatus; revision: number } | null;
  /** The users' accounts that are not disconnected, oldest first (none when there is a prior). */
  accounts: CalendarAccount[];
}

/**
 * The projection's upsert, its ten parameters from `$offset + 1` on: a write of an older revision
 * (a late retry) changes nothing. With `onlyIf` (SQL), nothing is written unless it holds.
 */
function projectionUpsert(offset: number, onlyIf?: string): string {
  const $ = (n: number) => `$${offset + n}`;
  const row = `${$(1)}, ${$(2)}, ${$(3)}, ${$(4)}, ${$(5)}, ${$(6)}, ${$(7)}, ${$(8)}::text[], ${$(9)}::text[], ${$(10)}, now()`;
  return `INSERT INTO bookings (booking_id, status, version, revision, start_at, end_at, time_zone,
                             participant_user_ids, unsynced_user_ids, personal_enc, updated_at)
       ${onlyIf ? `SELECT ${row} WHERE ${onlyIf}` : `VALUES (${row})`}
       ON CONFLICT (booking_id) DO UPDATE SET
         status = EXCLUDED.status, version = EXCLUDED.version, revision = EXCLUDED.revision,
         start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, time_zone = EXCLUDED.time_zone,
         participant_user_ids = EXCLUDED.participant_user_ids, unsynced_user_ids = EXCLUDED.unsynced_user_ids,
         personal_enc = EXCLUDED.personal_enc, updated_at = now(),
         title = NULL, description = NULL, location = NULL, meeting_url = NULL, participants = NULL,
         cancel_reason = NULL, templates = NULL
       WHERE bookings.revision < EXCLUDED.revision`;
}

/** The bookings table: the workflows' projection of each booking, read when no workflow can answer. */
export interface BookingStore {
  /** Upserts the projection; a write of an older workflow revision (a late retry) changes nothing. */
  saveProjection(projection: BookingProjection): Promise<void>;
  loadStatus(bookingId: string): Promise<{ status: BookingStatus; revision: number } | null>;
  /**
   * What a reconcile pass starts from, in one round trip: on a new workflow's first pass, the
   * booking as the database remembers it (`prior`; with one, nothing is saved and no account is
   * listed); otherwise the projection saved as saveProjection does (when given) and the accounts
   * of the users that are not disconnected.
   */
  prepareReconcile(input: ReconcilePreparation): Promise<PreparedReconcile>;
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
    await this.db.query(projectionUpsert(0), this.projectionValues(projection));
  }

  /**
   * One statement: the prior read (first pass only), the projection's upsert and the accounts.
   * Its parts see one snapshot: a prior row makes the upsert a no-op and lists nothing, as a
   * separate read-then-write would have.
   */
  async prepareReconcile(input: ReconcilePreparation): Promise<PreparedReconcile> {
    const params: unknown[] = [input.bookingId, input.userIds, input.firstPass];
    const saved = input.projection ? `, saved AS (${projectionUpsert(params.length, 'NOT EXISTS (SELECT 1 FROM prior)')})` : '';
    if (input.projection) params.push(...this.projectionValues(input.projection));
    const { rows } = await this.db.query<CalendarAccountRow & { prior_status: BookingStatus | null; prior_revision: number | null }>(
      `WITH prior AS (SELECT status, revision FROM bookings WHERE booking_id = $1 AND $3::boolean)${saved},
       accounts AS (
         SELECT ${COLUMNS} FROM calendar_connections
          WHERE user_id = ANY($2::text[]) AND status <> 'disconnected' AND NOT EXISTS (SELECT 1 FROM prior))
       SELECT prior.status AS prior_status, prior.revision AS prior_revision, accounts.*
         FROM (VALUES (1)) AS one (x) LEFT JOIN prior ON true LEFT JOIN accounts ON true
        ORDER BY accounts.created_at, accounts.id`,
      params,
    );
    const first = rows[0];
    const prior =
      first && first.prior_status !== null && first.prior_revision !== null
        ? { status: first.prior_status, revision: first.prior_revision }
        : null;
    // With no account, the one row carries the prior alone (its account columns are null).
    return { prior, accounts: rows.filter((r) => r.id !== null).map(toCalendarAccount) };
  }

  /** The upsert's parameters, in projectionUpsert's order. */
  private projectionValues(projection: BookingProjection): unknown[] {
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
    return [
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
    ];
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
