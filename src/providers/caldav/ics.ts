import icalGenerator, { ICalAlarmType } from 'ical-generator';
import type { EventSpec } from '../types';
import { caldavUid } from './uid';

/** Marks our events (and says which booking), for two-way sync to recognise them. */
export const BOOKING_PROPERTY = 'X-BOOKING-CALENDAR-SYNC-ID';

/**
 * The VEVENT for a booking. ical-generator escapes text (`\\`, `;`, `,`, newlines) and folds
 * lines at 75 octets, so user text can never start a property of its own. Times are UTC
 * (RFC 5545 allows it; clients show them in the user's zone). A reminder becomes a DISPLAY alarm,
 * except an e-mail one of the account's own reminders, given `emailTo` (the account's address): an
 * EMAIL alarm to it (RFC 5545 wants an ATTENDEE there). EVENT_REMINDERS stay DISPLAY alarms.
 */
export function buildIcs(spec: EventSpec, sequence: number, now: Date = new Date(), emailTo?: string): string {
  const calendar = icalGenerator({ prodId: { company: 'booking-calendar-sync', product: 'calendar sync', language: 'EN' } });
  const event = calendar.createEvent({
    id: caldavUid(spec.key),
    sequence,
    stamp: now,
    start: new Date(spec.start),
    end: new Date(spec.end),
    summary: spec.title,
    description: spec.description,
    location: spec.location ?? null,
    url: spec.url ?? null,
    timezone: null,
  });
  for (const r of spec.reminders) {
    if (r.method === 'email' && spec.accountReminders && emailTo) {
      const body = spec.description || spec.title;
      event.createAlarm({
        type: ICalAlarmType.email,
        trigger: r.minutes * 60,
        summary: spec.title,
        description: body,
        attendees: [{ email: emailTo }],
      });
    } else {
      event.createAlarm({ type: ICalAlarmType.display, trigger: r.minutes * 60, description: spec.title });
    }
  }
  event.x([{ key: BOOKING_PROPERTY, value: spec.key.bookingId }]);
  return calendar.toString();
}

/** The SEQUENCE of a stored object, to write the next change with a higher one. */
export function sequenceOf(ics: string): number {
  const m = /^SEQUENCE:(\d+)\s*$/m.exec(ics);
  return m ? Number(m[1]) : 0;
}
