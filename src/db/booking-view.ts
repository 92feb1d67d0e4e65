import type { BookingView, CalendarView, Participant } from '../domain/booking';
import type { Queryable } from './pool';

/**
 * The booking as the database last recorded it, for when no worker can answer the workflow's
 * state query. Calendars come from calendar_events, so skipped participants are not listed.
 */
export async function loadBookingViewFromDb(db: Queryable, bookingId: string): Promise<BookingView | null> {
  const { rows } = await db.query<{
    status: BookingView['status']; version: string | null; title: string; description: string | null; start_at: Date; end_at: Date;
    time_zone: string; location: string | null; meeting_url: string | null; participants: Participant[]; cancel_reason: string | null;
  }>('SELECT * FROM bookings WHERE booking_id = $1', [bookingId]);
  const b = rows[0];
  if (!b) return null;
  const links = await db.query<{
    user_id: string; connection_id: string; provider: string; state: 'synced' | 'deleted' | 'failed'; external_event_id: string | null;
    last_error: string | null; synced_at: Date | null;
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
    status: b.status,
    version: b.version === null ? null : Number(b.version),
    title: b.title,
    ...(b.description !== null ? { description: b.description } : {}),
    start: b.start_at.toISOString(),
    end: b.end_at.toISOString(),
    timeZone: b.time_zone,
    ...(b.location !== null ? { location: b.location } : {}),
    ...(b.meeting_url !== null ? { meetingUrl: b.meeting_url } : {}),
    participants: b.participants.map((p) => ({ userId: p.userId, role: p.role, name: p.name })),
    ...(b.cancel_reason !== null ? { cancelReason: b.cancel_reason } : {}),
    syncState: calendars.some((c) => c.state === 'failed') ? 'degraded' : 'pending',
    calendars,
  };
}
