import { fetchCalendarObjects, getBasicAuthHeaders } from 'tsdav';
import { BOOKING_TAG } from '../providers/google/to-google-event';
import { TAG_PROPERTY_ID } from '../providers/microsoft';
import { BOOKING_PROPERTY } from '../providers/caldav';
import { GoogleSandboxControl } from '../sandbox/google';
import { MicrosoftSandboxControl } from '../sandbox/microsoft';
import type { ChaosEnvironment } from './environment';
import type { ChaosParticipant } from './participants';

/** One of our events as found in a calendar, read from the outside (never through the service). */
export interface FoundEvent {
  bookingId: string;
  start: number;
  end: number;
}

/** Graph answers wall time without offset, in UTC unless asked otherwise. */
const utc = (dateTime: string) => Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(dateTime) ? dateTime : `${dateTime}Z`);

/** Every event of ours in each participant's calendar, keyed by user id. */
export async function readCalendars(env: ChaosEnvironment, participants: ChaosParticipant[]): Promise<Map<string, FoundEvent[]>> {
  const google = new GoogleSandboxControl(env.google.url);
  const microsoft = new MicrosoftSandboxControl(env.microsoft.url);
  const ICAL = (await import('ical.js')).default;
  const out = new Map<string, FoundEvent[]>();
  for (const p of participants) {
    if (p.provider === 'google') {
      const events = await google.listEvents(p.account);
      out.set(
        p.userId,
        events
          .filter((e) => e.status !== 'cancelled' && e.extendedProperties?.private?.[BOOKING_TAG])
          .map((e) => ({ bookingId: e.extendedProperties!.private![BOOKING_TAG]!, start: Date.parse(e.start!.dateTime!), end: Date.parse(e.end!.dateTime!) })),
      );
    } else if (p.provider === 'microsoft') {
      const events = await microsoft.listEvents(p.account);
      out.set(
        p.userId,
        events.flatMap((e) => {
          const tag = e.singleValueExtendedProperties?.find((x) => x.id === TAG_PROPERTY_ID)?.value;
          return tag && !e.isCancelled ? [{ bookingId: tag.split('|')[0]!, start: utc(e.start.dateTime), end: utc(e.end.dateTime) }] : [];
        }),
      );
    } else {
      const account = env.caldavAccounts.find((a) => a.username === p.account)!;
      const objects = await fetchCalendarObjects({ calendar: { url: p.directCalendarUrl! }, headers: getBasicAuthHeaders(account) as Record<string, string> });
      out.set(
        p.userId,
        objects.flatMap((o) => {
          if (typeof o.data !== 'string') return [];
          const vevent = new ICAL.Component(ICAL.parse(o.data)).getFirstSubcomponent('vevent');
          const bookingId = vevent?.getFirstPropertyValue(BOOKING_PROPERTY.toLowerCase());
          if (!vevent || typeof bookingId !== 'string') return [];
          const e = new ICAL.Event(vevent);
          return [{ bookingId, start: e.startDate.toJSDate().getTime(), end: e.endDate.toJSDate().getTime() }];
        }),
      );
    }
  }
  return out;
}
