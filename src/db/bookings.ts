import type { BookingDetails, BookingStatus } from '../domain/booking';
import type { Queryable } from './pool';

export interface BookingProjection {
  bookingId: string;
  status: BookingStatus;
  version: number | null;
  revision: number;
  details: BookingDetails;
  cancelReason?: string;
}

/** Upserts the projection; a write of an older workflow revision (a late retry) changes nothing. */
export async function saveBookingProjection(db: Queryable, b: BookingProjection): Promise<void> {
  const d = b.details;
  await db.query(
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
      b.bookingId, b.status, b.version, b.revision, d.title, d.description ?? null, d.start, d.end, d.timeZone,
      d.location ?? null, d.meetingUrl ?? null, JSON.stringify(d.participants), d.participants.map((p) => p.userId),
      b.cancelReason ?? null,
    ],
  );
}

export async function loadBookingStatus(db: Queryable, bookingId: string): Promise<{ status: BookingStatus; revision: number } | null> {
  const { rows } = await db.query<{ status: BookingStatus; revision: number }>(
    'SELECT status, revision FROM bookings WHERE booking_id = $1',
    [bookingId],
  );
  return rows[0] ?? null;
}
