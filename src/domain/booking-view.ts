import type { BookingProjection, BookingView, CalendarView, SyncState } from './booking';

/** A calendar's state as it is held (by the workflow) or stored (in calendar_events), optional parts possibly empty. */
export interface CalendarViewSource extends Omit<CalendarView, 'externalEventId' | 'lastError' | 'syncedAt' | 'externallyChangedAt'> {
  externalEventId?: string | null;
  lastError?: string | null;
  syncedAt?: string | null;
}

/** The parts every calendar view has, typed as narrowly as the source holds them (a stored event always has its account). */
type CoreParts = 'userId' | 'connectionId' | 'provider' | 'state';

export function calendarView<S extends CalendarViewSource>(
  source: S,
): Pick<S, CoreParts> & Pick<CalendarView, 'externalEventId' | 'lastError' | 'syncedAt'> {
  return {
    userId: source.userId,
    connectionId: source.connectionId,
    provider: source.provider,
    state: source.state,
    ...(source.externalEventId ? { externalEventId: source.externalEventId } : {}),
    ...(source.lastError ? { lastError: source.lastError } : {}),
    ...(source.syncedAt ? { syncedAt: source.syncedAt } : {}),
  };
}

/**
 * What `GET /v1/bookings/:id` shows. The booking workflow builds it from its state; the database
 * builds it from its projection when no workflow answers; both through this one function.
 */
export function bookingView(booking: Omit<BookingProjection, 'revision'>, calendars: CalendarView[], syncState: SyncState): BookingView {
  const { details } = booking;
  return {
    bookingId: booking.bookingId,
    status: booking.status,
    version: booking.version,
    title: details.title,
    ...(details.description !== undefined ? { description: details.description } : {}),
    start: details.start,
    end: details.end,
    timeZone: details.timeZone,
    ...(details.location !== undefined ? { location: details.location } : {}),
    ...(details.meetingUrl !== undefined ? { meetingUrl: details.meetingUrl } : {}),
    participants: details.participants.map((participant) => ({
      userId: participant.userId,
      role: participant.role,
      name: participant.name,
      ...(participant.sync === false ? { sync: false } : {}),
    })),
    ...(booking.cancelReason !== undefined ? { cancelReason: booking.cancelReason } : {}),
    syncState,
    calendars,
  };
}
