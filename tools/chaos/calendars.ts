import { fetchCalendarObjects, fetchCalendars, getBasicAuthHeaders } from 'tsdav';
import { principalPath } from '../support/radicale';
import { BOOKING_TAG } from '../../src/providers/google/to-google-event';
import { TAG_PROPERTY_ID } from '../../src/providers/microsoft';
import { BOOKING_PROPERTY } from '../../src/providers/caldav';
import { GoogleSandboxControl } from 'calendar-emulators/google';
import { MicrosoftSandboxControl } from 'calendar-emulators/microsoft';
import type { ChaosEnvironment } from './environment';
import type { ChaosParticipant } from './participants';

/** One of our events as found in a calendar, read from the outside (never through the service). */
export interface FoundEvent {
  /** From the booking tag the service writes on every event of its own. */
  bookingId: string;
  /** The provider's id for the event (CalDAV: its URL), so two events of one booking can be told apart. */
  id: string;
  start: number;
  end: number;
  title: string;
  /** Absent text reads as ''. */
  description: string;
  location: string;
}

/** Graph answers wall time without offset, in UTC unless asked otherwise. */
const utc = (dateTime: string) => Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(dateTime) ? dateTime : `${dateTime}Z`);

/**
 * Every event carrying our booking tag, in every calendar of every user of the run (whether or
 * not the user takes part in any booking), keyed by user id.
 */
export async function readCalendars(env: ChaosEnvironment, users: ChaosParticipant[]): Promise<Map<string, FoundEvent[]>> {
  const google = new GoogleSandboxControl(env.google.url);
  const microsoft = new MicrosoftSandboxControl(env.microsoft.url);
  const ICAL = (await import('ical.js')).default;
  const out = new Map<string, FoundEvent[]>();
  for (const u of users) {
    const found: FoundEvent[] = [];
    out.set(u.userId, found);
    if (u.provider === 'google') {
      for (const calendar of await google.listCalendars(u.account)) {
        for (const e of await google.listEvents(u.account, { calendarId: calendar.id })) {
          const bookingId = e.extendedProperties?.private?.[BOOKING_TAG];
          if (e.status === 'cancelled' || !bookingId) continue;
          found.push({
            bookingId,
            id: e.id,
            start: Date.parse(e.start.dateTime!),
            end: Date.parse(e.end.dateTime!),
            title: e.summary ?? '',
            description: e.description ?? '',
            location: e.location ?? '',
          });
        }
      }
    } else if (u.provider === 'microsoft') {
      for (const calendar of await microsoft.listCalendars(u.account)) {
        for (const e of await microsoft.listEvents(u.account, { calendarId: calendar.id })) {
          const tag = e.singleValueExtendedProperties?.find((x) => x.id === TAG_PROPERTY_ID)?.value;
          if (!tag || e.isCancelled) continue;
          found.push({
            bookingId: tag.split('|')[0]!,
            id: e.id,
            start: utc(e.start.dateTime),
            end: utc(e.end.dateTime),
            title: e.subject ?? '',
            description: e.body?.content ?? '',
            location: e.location?.displayName ?? '',
          });
        }
      }
    } else {
      const account = env.caldavAccounts.find((a) => a.username === u.account)!;
      const headers = getBasicAuthHeaders(account) as Record<string, string>;
      const home = new URL(principalPath(account.username), env.radicale.url).toString();
      const calendars = await fetchCalendars({
        account: { accountType: 'caldav', serverUrl: env.radicale.url, rootUrl: home, homeUrl: home },
        headers,
      });
      for (const calendar of calendars) {
        for (const o of await fetchCalendarObjects({ calendar, headers })) {
          if (typeof o.data !== 'string') continue;
          const vevent = ICAL.Component.fromString(o.data).getFirstSubcomponent('vevent');
          const bookingId = vevent?.getFirstPropertyValue(BOOKING_PROPERTY.toLowerCase());
          if (!vevent || typeof bookingId !== 'string') continue;
          const e = new ICAL.Event(vevent);
          found.push({
            bookingId,
            id: o.url,
            start: e.startDate.toJSDate().getTime(),
            end: e.endDate.toJSDate().getTime(),
            title: e.summary ?? '',
            description: e.description ?? '',
            location: e.location ?? '',
          });
        }
      }
    }
  }
  return out;
}
