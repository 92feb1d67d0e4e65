import { DateTime } from 'luxon';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import type { BusyInterval } from '../types';
import { BOOKING_TAG } from './to-google-event';

/** An all-day event's date (or a timed event's instant) as an instant; all-day dates are read in the calendar's zone. */
function instantOf(t: calendar_v3.Schema$EventDateTime | undefined, calendarZone: string): string | undefined {
  if (t?.dateTime) return DateTime.fromISO(t.dateTime, { setZone: true }).toUTC().toISO() ?? undefined;
  if (t?.date)
    return (
      DateTime.fromISO(t.date, { zone: t.timeZone ?? calendarZone })
        .toUTC()
        .toISO() ?? undefined
    );
  return undefined;
}

/** The busy time of one listed event, or undefined when it does not make the user busy. */
export function busyOf(e: calendar_v3.Schema$Event, calendarZone: string): BusyInterval | undefined {
  if (e.status === 'cancelled' || e.transparency === 'transparent') return undefined;
  // Our own events are the bookings themselves, not conflicts with them.
  if (e.extendedProperties?.private?.[BOOKING_TAG]) return undefined;
  const start = instantOf(e.start, calendarZone);
  const end = instantOf(e.end, calendarZone);
  return start && end && end > start ? { start, end } : undefined;
}
