import { DateTime } from 'luxon';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import type { EventSpec } from '../types';

/** Private extended property marking events this service wrote (keys ≤ 44 chars). */
export const BOOKING_TAG = 'bookingCalendarSyncBookingId';

function zoned(instant: string, timeZone: string): calendar_v3.Schema$EventDateTime {
  // The offset in dateTime is authoritative for the instant; timeZone is how Google shows it.
  return {
    dateTime: DateTime.fromISO(instant, { setZone: true }).setZone(timeZone).toISO({ suppressMilliseconds: true }) ?? instant,
    timeZone,
  };
}

export function toGoogleEvent(spec: EventSpec, id: string): calendar_v3.Schema$Event {
  return {
    id,
    status: 'confirmed',
    summary: spec.title,
    description: spec.description,
    location: spec.location ?? null,
    start: zoned(spec.start, spec.timeZone),
    end: zoned(spec.end, spec.timeZone),
    reminders: {
      useDefault: false,
      overrides: spec.reminders.map((r) => ({ method: r.method, minutes: r.minutes })),
    },
    source: spec.url ? { title: 'Join', url: spec.url } : null,
    extendedProperties: { private: { [BOOKING_TAG]: spec.key.bookingId } },
  };
}
