import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import { fetchCalendarObjects, getBasicAuthHeaders } from 'tsdav';
import { createCalendar, ensureRadicale, startRadicale } from '../../tools/support/radicale';
import { CalDavCalendarProvider, caldavUid } from '../../src/providers/caldav';
import { guardedFetch } from '../../src/net/guarded-fetch';
import { startFaultProxy } from '../support/fault-proxy';
import type { ProviderFixture, StoredEvent } from './fixture';

/** The iCalendar property naming the booking: written out, as events already in calendars carry it. */
const BOOKING_PROPERTY = 'X-BOOKING-CALENDAR-SYNC-ID';

type ICAL = typeof ICALModule;

/** Reads what the server stores, with ical.js: an independent parser, not our writer. */
function parse(ICAL: ICAL, ics: string): { bookingId: string | null; event: StoredEvent } {
  const vevent = ICAL.Component.fromString(ics).getFirstSubcomponent('vevent')!;
  const e = new ICAL.Event(vevent);
  const alarms = vevent.getAllSubcomponents('valarm').map((a) => {
    const trigger = a.getFirstPropertyValue('trigger') as InstanceType<ICAL['Duration']>;
    return { method: 'popup' as const, minutes: Math.round(-trigger.toSeconds() / 60) };
  });
  return {
    bookingId: (vevent.getFirstPropertyValue(BOOKING_PROPERTY.toLowerCase()) as string | null) ?? null,
    event: {
      title: e.summary,
      description: e.description,
      location: e.location ?? '',
      start: e.startDate.toJSDate().getTime(),
      end: e.endDate.toJSDate().getTime(),
      reminders: alarms.sort((a, b) => b.minutes - a.minutes),
    },
  };
}

/** Europe/London as a VTIMEZONE, for user events written in local wall time. */
const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

export const caldavFixture: ProviderFixture = {
  name: 'caldav (Radicale)',
  async start() {
    await ensureRadicale();
    // ical.js is an ES module; this project is CommonJS.
    const ICAL = (await import('ical.js')).default;
    const user = { username: `u${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('hex') };
    const radicale = await startRadicale({ users: [user] });
    const direct = await createCalendar(radicale.url, user.username, user.password, { slug: 'bookings', displayName: 'Bookings' });
    const proxy = await startFaultProxy(radicale.url);
    const calendarUrl = direct.replace(radicale.url, proxy.url);
    const headers = getBasicAuthHeaders(user) as Record<string, string>;
    return {
      // Radicale and the fault proxy listen on loopback.
      provider: new CalDavCalendarProvider('caldav', guardedFetch(true)),
      ctx: { credentials: { kind: 'basic', ...user, serverUrl: proxy.url }, calendarId: calendarUrl },
      async ourEvents() {
        // Every object in the collection, whatever its name or UID.
        const objects = await fetchCalendarObjects({ calendar: { url: direct }, headers });
        return objects.flatMap((o) => {
          const p = typeof o.data === 'string' ? parse(ICAL, o.data) : undefined;
          return p?.bookingId ? [{ bookingId: p.bookingId, ...p.event }] : [];
        });
      },
      loseNextCreateResponse() {
        proxy.dropNextResponse('PUT');
        return Promise.resolve();
      },
      changeBeforeNextWrite(key) {
        // Another client rewrites the object between our read and our If-Match write.
        proxy.beforeNext('PUT', async () => {
          const url = new URL(`${caldavUid(key)}.ics`, direct).toString();
          const current = await fetch(url, { headers });
          const edited = (await current.text()).replace(/^SUMMARY:.*$/m, 'SUMMARY:Changed by another client');
          const res = await fetch(url, {
            method: 'PUT',
            headers: { ...headers, 'content-type': 'text/calendar; charset=utf-8' },
            body: edited,
          });
          if (!res.ok) throw new Error(`out-of-band edit failed: ${res.status}`);
        });
        return Promise.resolve();
      },
      async addUserEvent(e) {
        const uid = `user-${randomBytes(6).toString('hex')}`;
        const london = (t: string) => DateTime.fromISO(t, { zone: 'utc' }).setZone('Europe/London').toFormat("yyyyMMdd'T'HHmmss");
        const stamp = (t: string) =>
          e.allDay
            ? `;VALUE=DATE:${t.replaceAll('-', '')}`
            : e.weekly
              ? `;TZID=Europe/London:${london(t)}`
              : `:${t.replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
        const ics = [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          'PRODID:-//conformance//user//EN',
          ...(e.weekly ? LONDON_VTIMEZONE : []),
          'BEGIN:VEVENT',
          `UID:${uid}`,
          'DTSTAMP:20260101T000000Z',
          `DTSTART${stamp(e.start)}`,
          `DTEND${stamp(e.end)}`,
          `SUMMARY:${e.title}`,
          ...(e.free ? ['TRANSP:TRANSPARENT'] : []),
          ...(e.weekly ? [`RRULE:FREQ=WEEKLY;COUNT=${e.weekly}`] : []),
          'END:VEVENT',
          'END:VCALENDAR',
          '',
        ].join('\r\n');
        const res = await fetch(new URL(`${uid}.ics`, direct).toString(), {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'text/calendar; charset=utf-8' },
          body: ics,
        });
        if (!res.ok) throw new Error(`adding a user event failed: ${res.status}`);
        // Change reads key objects by their URL as the adapter sees the collection (through the proxy).
        return new URL(`${uid}.ics`, calendarUrl).toString();
      },
      async deleteUserEvent(itemId) {
        const res = await fetch(itemId.replace(proxy.url, radicale.url), { method: 'DELETE', headers });
        if (!res.ok && res.status !== 404) throw new Error(`deleting a user event failed: ${res.status}`);
      },
      expireCursor(cursor) {
        // Radicale answers a token whose state it does not know (expired, or never issued) with
        // 403 valid-sync-token; it still knows the newest one, so present one it never issued.
        return Promise.resolve(`${cursor.slice(0, -4)}${cursor.endsWith('beef') ? 'dead' : 'beef'}`);
      },
      expectedReminders: (reminders) =>
        reminders.map((r) => ({ method: 'popup' as const, minutes: r.minutes })).sort((a, b) => b.minutes - a.minutes),
      async close() {
        await proxy.close();
        await radicale.stop();
      },
    };
  },
};
