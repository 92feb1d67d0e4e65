import icalGenerator from 'ical-generator';
import { addBookingEvent } from '../../events/ics-event';
import type { EventSpec } from '../types';
import { caldavUid } from './uid';

/** Marks our events (and says which booking), for two-way sync to recognise them. */
export const BOOKING_PROPERTY = 'X-BOOKING-CALENDAR-SYNC-ID';

/**
 * The VEVENT for a booking (addBookingEvent), marked as ours. ical-generator escapes text (`\\`,
 * `;`, `,`, newlines) and folds lines at 75 octets, so user text can never start a property of its own.
 * An e-mail reminder of the account's own reminders becomes an EMAIL alarm to `emailTo` (the
 * account's address); every other reminder, EVENT_REMINDERS included, a DISPLAY alarm.
 */
export function buildIcs(spec: EventSpec, sequence: number, now: Date = new Date(), emailTo?: string): string {
  const calendar = icalGenerator({ prodId: { company: 'booking-calendar-sync', product: 'calendar sync', language: 'EN' } });
  const event = addBookingEvent(calendar, { uid: caldavUid(spec.key), sequence, stamp: now, spec, ...(emailTo ? { emailTo } : {}) });
  event.x([{ key: BOOKING_PROPERTY, value: spec.key.bookingId }]);
  return calendar.toString();
}

/** The SEQUENCE of a stored object, to write the next change with a higher one. */
export function sequenceOf(ics: string): number {
  const m = /^SEQUENCE:(\d+)\s*$/m.exec(ics);
  return m ? Number(m[1]) : 0;
}
