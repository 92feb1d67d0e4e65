import type { CalendarView, SyncState } from '../domain/booking';
import type { ExternalEditState } from '../domain/busy-reports';
import { calendarView } from '../domain/booking-view';

/** A calendar_events row as `SELECT *` reads it. */
export interface CalendarEventRow {
  booking_id: string;
  user_id: string;
  connection_id: string;
  provider: string;
  state: 'synced' | 'deleted' | 'failed';
  external_event_id: string | null;
  etag: string | null;
  last_error: string | null;
  synced_at: Date | null;
  revision: number;
  calendar_id: string | null;
  external_state: ExternalEditState | null;
  external_changed_at: Date | null;
}

/** A calendar as GET /v1/bookings/:id shows it from the database, without the user's own edits. */
export function recordedCalendar(row: CalendarEventRow): CalendarView {
  return calendarView({
    userId: row.user_id,
    connectionId: row.connection_id,
    provider: row.provider,
    state: row.state,
    externalEventId: row.external_event_id,
    lastError: row.last_error,
    syncedAt: row.synced_at?.toISOString(),
  });
}

/** The same with the user's deletion or move of our event, as the calendar reads recorded it. */
export function recordedCalendarWithEdit(row: CalendarEventRow): CalendarView {
  const view = recordedCalendar(row);
  if (row.state !== 'synced' || !row.external_state || !row.external_changed_at) return view;
  return { ...view, state: row.external_state, externallyChangedAt: row.external_changed_at.toISOString() };
}

/**
 * The sync state the database can vouch for. While a workflow may still hold changes it has not
 * recorded (`workflowMayHoldMore`), it cannot say more than pending; otherwise every calendar
 * written at the booking's revision is what the workflow would have called synced.
 */
export function recordedSyncState(bookingRevision: number, rows: CalendarEventRow[], workflowMayHoldMore: boolean): SyncState {
  if (rows.some((row) => row.state === 'failed')) return 'degraded';
  if (workflowMayHoldMore) return 'pending';
  return rows.every((row) => row.revision >= bookingRevision) ? 'synced' : 'pending';
}
