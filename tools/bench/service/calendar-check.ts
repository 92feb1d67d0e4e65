import { BOOKING_TAG } from '../../../src/providers/google/to-google-event';
import type { GoogleSandboxControl } from 'calendar-emulators/google';

/** When each booking's event was created in each calendar (more than one entry = a duplicate). */
export type CreatedTimes = Map<string, Map<string, number[]>>;

/**
 * Reads the calendars from the sandbox's side (never through the service): every live event of
 * ours whose booking id starts with `prefix`, by booking and calendar.
 */
export async function readCreatedTimes(sandbox: GoogleSandboxControl, emails: Iterable<string>, prefix: string): Promise<CreatedTimes> {
  const out: CreatedTimes = new Map();
  for (const email of new Set(emails)) {
    for (const e of await sandbox.listEvents(email)) {
      const bookingId = e.extendedProperties?.private?.[BOOKING_TAG];
      if (e.status === 'cancelled' || !bookingId?.startsWith(prefix)) continue;
      const byCalendar = out.get(bookingId) ?? new Map<string, number[]>();
      out.set(bookingId, byCalendar);
      byCalendar.set(email, [...(byCalendar.get(email) ?? []), Date.parse(e.created)]);
    }
  }
  return out;
}

export interface CalendarVerdict {
  /** Calendars (booking × participant) holding the booking's event. */
  eventsVerified: number;
  /** Events beyond the first for one booking in one calendar. */
  duplicates: number;
  /** Calendars that should hold an event and do not. */
  lost: number;
  /** Per booking whose calendars all hold it: when the last of them got its event. */
  completedAt: Map<string, number>;
}

export function judgeCalendars(expected: Array<{ bookingId: string; emails: string[] }>, found: CreatedTimes): CalendarVerdict {
  let eventsVerified = 0;
  let duplicates = 0;
  let lost = 0;
  const completedAt = new Map<string, number>();
  for (const { bookingId, emails } of expected) {
    const byCalendar = found.get(bookingId);
    let last = 0;
    let complete = true;
    for (const email of emails) {
      const times = byCalendar?.get(email) ?? [];
      if (times.length === 0) {
        lost += 1;
        complete = false;
        continue;
      }
      eventsVerified += 1;
      duplicates += times.length - 1;
      last = Math.max(last, Math.min(...times));
    }
    if (complete) completedAt.set(bookingId, last);
  }
  return { eventsVerified, duplicates, lost, completedAt };
}
