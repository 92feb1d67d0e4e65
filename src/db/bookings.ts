import type { BookingProjection, BookingStatus, BookingView, CalendarView, Participant } from '../domain/booking';
import type { Queryable } from './pool';

/** The bookings table: the workflows' projection of each booking, read when no workflow can answer. */
export interface BookingStore {
  /** Upserts the projection; a write of an older workflow revision (a late retry) changes nothing. */
  saveProjection(projection: BookingProjection): Promise<void>;
  loadStatus(bookingId: string): Promise<{ status: BookingStatus; revision: number } | null>;
  /**
   * The booking as the database last recorded it, for when no worker can answer the workflow's
   * state query. Calendars come from calendar_events, so skipped participants are not listed.
   */
  loadView(bookingId: string): Promise<BookingView | null>;
  /** Confirmed bookings that have not ended (the open-bookings gauge). */
  countOpen(): Promise<number>;
}

export class PgBookingStore implements BookingStore {
  constructor(private readonly db: Queryable) {}

  async saveProjection(projection: BookingProjection): Promise<void> {
    const details = projection.details;
    await this.db.query(
      `INSERT INTO bookings (booking_id, status, version, revision, title, description, start_at, end_at, time_zone,
                             location, meeting_url, participants, participant_user_ids, cancel_reason, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::text[], $14, now())
       ON CONFLICT (booking_id) DO UPDATE SET
         status = EXCLUDED.status, version = EXCLUDED.version, revision = EXCLUDED.revision, title = EXCLUDED.title,
         description = EXCLUDED.description, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
         time_zone = EXCLUDED.time_zone, location = EXCLUDED.location, meeting_url = EXCLUDED.meeting_url,
         participants = EXCLUDED.participants, participant_user_ids = EXCLUDED.participant_user_ids,
         cancel_reason = EXCLUDED.cancel_reason, updated_at = now()
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

  async loadView(bookingId: string): Promise<BookingView | null> {
    const { rows } = await this.db.query<{
      status: BookingView['status'];
      version: string | null;
      title: string;
      description: string | null;
      start_at: Date;
      end_at: Date;
      time_zone: string;
      location: string | null;
      meeting_url: string | null;
      participants: Participant[];
      cancel_reason: string | null;
    }>('SELECT * FROM bookings WHERE booking_id = $1', [bookingId]);
    const row = rows[0];
    if (!row) return null;
    const links = await this.db.query<{
      user_id: string;
      connection_id: string;
      provider: string;
      state: 'synced' | 'deleted' | 'failed';
      external_event_id: string | null;
      last_error: string | null;
      synced_at: Date | null;
    }>('SELECT * FROM calendar_events WHERE booking_id = $1 ORDER BY user_id, connection_id', [bookingId]);
    const calendars: CalendarView[] = links.rows.map((l) => ({
      userId: l.user_id,
      connectionId: l.connection_id,
      provider: l.provider,
      state: l.state,
      ...(l.external_event_id ? { externalEventId: l.external_event_id } : {}),
      ...(l.last_error ? { lastError: l.last_error } : {}),
      ...(l.synced_at ? { syncedAt: l.synced_at.toISOString() } : {}),
    }));
    return {
      bookingId,
      status: row.status,
      version: row.version === null ? null : Number(row.version),
      title: row.title,
      ...(row.description !== null ? { description: row.description } : {}),
      start: row.start_at.toISOString(),
      end: row.end_at.toISOString(),
      timeZone: row.time_zone,
      ...(row.location !== null ? { location: row.location } : {}),
      ...(row.meeting_url !== null ? { meetingUrl: row.meeting_url } : {}),
      participants: row.participants.map((p) => ({ userId: p.userId, role: p.role, name: p.name })),
      ...(row.cancel_reason !== null ? { cancelReason: row.cancel_reason } : {}),
      syncState: calendars.some((c) => c.state === 'failed') ? 'degraded' : 'pending',
      calendars,
    };
  }

  async countOpen(): Promise<number> {
    return Number(
      (await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM bookings WHERE status = 'confirmed' AND end_at > now()`)).rows[0]?.n ??
        0,
    );
  }
}
