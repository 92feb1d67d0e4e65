import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { objectUrl } from '../../src/providers/caldav';
import { TAG_PROPERTY_ID, tagValue } from '../../src/providers/microsoft';
import { confirmBody, getBooking, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startICloudLikeServer, type ICloudLikeServer } from '../support/icloud-front';

let h: Harness;
let radicale: RadicaleServer;
let icloud: ICloudLikeServer;
const newUser = (prefix: string) => ({ username: `${prefix}${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') });
const user = newUser('client');
/** An iCloud account, one with two calendars, and one reached through redirects. */
const icloudUser = newUser('apple');
const twoCalendarsUser = newUser('choosy');
const redirectedUser = newUser('moved');
let calendarUrl: string;

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [user, icloudUser, twoCalendarsUser, redirectedUser] });
  calendarUrl = await createCalendar(radicale.url, user.username, user.password, { slug: 'personal', displayName: 'Personal' });
  await createCalendar(radicale.url, icloudUser.username, icloudUser.password, { slug: 'home', displayName: 'Home' });
  await createCalendar(radicale.url, twoCalendarsUser.username, twoCalendarsUser.password, { slug: 'personal', displayName: 'Personal' });
  await createCalendar(radicale.url, twoCalendarsUser.username, twoCalendarsUser.password, { slug: 'lessons', displayName: 'Lessons' });
  await createCalendar(radicale.url, redirectedUser.username, redirectedUser.password, { slug: 'home', displayName: 'Home' });
  icloud = await startICloudLikeServer(radicale.url);
  h = await startHarness({ ICLOUD_CALDAV_URL: icloud.frontUrl });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await icloud?.close();
  await radicale?.stop();
});

const basicOf = (u: { username: string; password: string }) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

async function icsAt(calendar: string, key: { bookingId: string; connectionId: string }, u = user): Promise<string | undefined> {
  const res = await fetch(objectUrl(calendar, key), { headers: { authorization: basicOf(u) } });
  return res.status === 200 ? res.text() : undefined;
}

async function icsOf(bookingId: string, connectionId: string): Promise<string | undefined> {
  return icsAt(calendarUrl, { bookingId, connectionId });
}

interface CalendarJson {
  id: string;
  name: string;
  primary: boolean;
  writable: boolean;
  selected: boolean;
}

describe('CalDAV connections', () => {
  it('a wrong password is refused with invalid_credentials and stores nothing', async () => {
    const userId = h.id('client');
    const res = await h.api<{ code: string; detail: string }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      username: user.username,
      password: 'wrong-password',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_credentials');
    expect(JSON.stringify(res.body)).not.toContain('wrong-password');
    const list = await h.api<{ connections: unknown[] }>('GET', `/v1/users/${userId}/connections`);
    expect(list.body.connections).toHaveLength(0);
    const unreachable = await h.api<{ code: string }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: 'http://127.0.0.1:1/',
      username: 'x',
      password: 'y',
    });
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.code).toBe('caldav_unreachable');
  });

  it('a booking whose tutor uses Outlook and whose client uses CalDAV gets both events created, moved and removed', async () => {
    const tutorId = h.id('tutor');
    const clientId = h.id('client');
    const outlook = await h.connectMicrosoft(tutorId, `${tutorId}@contoso.test`);
    const connected = await h.api<{ id: string; provider: string; accountEmail: string; status: string }>(
      'POST',
      `/v1/users/${clientId}/connections`,
      {
        provider: 'caldav',
        serverUrl: radicale.url,
        username: user.username,
        password: user.password,
      },
    );
    expect(connected.status).toBe(201);
    expect(connected.body).toMatchObject({ provider: 'caldav', accountEmail: user.username, status: 'active' });
    expect(JSON.stringify(connected.body)).not.toContain(user.password);
    const caldavId = connected.body.id;

    const tutor: TestParticipant = { userId: tutorId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
    const client: TestParticipant = { userId: clientId, role: 'client', name: 'Bob Builder', email: 'bob@example.com' };
    const bookingId = h.id('bk');
    const outlookEvents = async () =>
      (await h.microsoft.listEvents(outlook.email)).filter((e) =>
        e.singleValueExtendedProperties?.some(
          (p) => p.id === TAG_PROPERTY_ID && p.value === tagValue({ bookingId, connectionId: outlook.connectionId }),
        ),
      );

    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    const ics = await icsOf(bookingId, caldavId);
    expect(ics).toContain('SUMMARY:Algebra lesson with Ada Lovelace');
    expect(ics).toContain('DTSTART:20300501T150000Z');
    expect(ics?.match(/BEGIN:VALARM/g)).toHaveLength(3);
    expect(await outlookEvents()).toHaveLength(1);

    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2030-05-03T09:00:00Z', end: '2030-05-03T10:00:00Z' });
    await settled(h, bookingId, (v) => v.start === '2030-05-03T09:00:00Z');
    const moved = await icsOf(bookingId, caldavId);
    expect(moved).toContain('DTSTART:20300503T090000Z');
    expect(moved).toMatch(/SEQUENCE:[1-9]/);
    const [outlookMoved] = await outlookEvents();
    expect(Date.parse(`${outlookMoved!.start.dateTime}Z`)).toBe(Date.parse('2030-05-03T09:00:00Z'));

    await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {});
    await eventually(
      async () => ((await getBooking(h, bookingId)).calendars.every((c) => c.state === 'deleted') ? true : undefined),
      'cancel',
    );
    expect(await icsOf(bookingId, caldavId)).toBeUndefined();
    expect(await outlookEvents()).toHaveLength(0);
  });

  it('text with line breaks and iCalendar syntax stays text in the event (no injected properties)', async () => {
    const userId = h.id('client');
    const connected = await h.api<{ id: string }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...user,
    });
    const bookingId = h.id('bk');
    const description = 'Bring notes.\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nATTENDEE:mailto:evil@example.com\rX-INJECTED:yes';
    const participant: TestParticipant = { userId, role: 'client', name: 'Eve; "Quote", Back\\slash', email: 'eve@example.com' };
    expect(
      (
        await h.api(
          'POST',
          `/v1/bookings/${bookingId}/confirm`,
          confirmBody([participant], { description, location: 'Room 1; Floor 2, ATTENDEE:mailto:x@y.z' }),
        )
      ).status,
    ).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
    const ics = (await icsOf(bookingId, connected.body.id))!;
    const unfolded = ics.replace(/\r\n[ \t]/g, '');
    expect(unfolded.match(/^BEGIN:VEVENT$/gm)).toHaveLength(1);
    for (const injected of ['ATTENDEE', 'X-INJECTED', 'UID:evil'])
      expect(unfolded.split('\r\n').some((l) => l.startsWith(injected))).toBe(false);
    const ICAL = (await import('ical.js')).default;
    const vevent = ICAL.Component.fromString(ics).getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('location')).toBe('Room 1; Floor 2, ATTENDEE:mailto:x@y.z');
    expect(String(vevent.getFirstPropertyValue('description'))).toContain(
      'Bring notes.\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nATTENDEE:mailto:evil@example.com\nX-INJECTED:yes',
    );
  });

  it("lists the account's calendars and moves the bookings' events to the one the user chooses", async () => {
    const userId = h.id('choosy');
    const connected = await h.api<{ id: string }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...twoCalendarsUser,
    });
    expect(connected.status).toBe(201);
    const connectionId = connected.body.id;
    const listed = await h.api<{ calendars: CalendarJson[] }>('GET', `/v1/users/${userId}/connections/${connectionId}/calendars`);
    expect(listed.status).toBe(200);
    expect(listed.body.calendars.map((c) => c.name).sort()).toEqual(['Lessons', 'Personal']);
    expect(listed.body.calendars.filter((c) => c.selected)).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(twoCalendarsUser.password);
    const from = listed.body.calendars.find((c) => c.selected)!;
    const to = listed.body.calendars.find((c) => !c.selected)!;

    const bookingId = h.id('bk');
    const participant: TestParticipant = { userId, role: 'client', name: 'Chris', email: 'chris@example.com' };
    await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([participant]));
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
    const key = { bookingId, connectionId };
    expect(await icsAt(from.id, key, twoCalendarsUser)).toContain('SUMMARY:Algebra lesson');

    expect((await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { calendarId: `${to.id}nope/` })).status).toBe(404);
    const patched = await h.api<{ calendarId: string }>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { calendarId: to.id });
    expect(patched.status).toBe(200);
    expect(patched.body.calendarId).toBe(to.id);
    let seen: unknown;
    await eventually(async () => {
      const [inTo, inFrom] = [await icsAt(to.id, key, twoCalendarsUser), await icsAt(from.id, key, twoCalendarsUser)];
      seen = { inTo: Boolean(inTo), inFrom: Boolean(inFrom) };
      return inTo && !inFrom ? true : undefined;
    }, 'event moved').catch(async (err: unknown) => {
      // Where the event is and what the booking says of its calendar tell which step never happened.
      const view = await h.api('GET', `/v1/bookings/${bookingId}`);
      throw new Error(`${String(err)}; calendars: ${JSON.stringify(seen)}; booking: ${JSON.stringify(view.body)}`);
    });
    const relisted = await h.api<{ calendars: CalendarJson[] }>('GET', `/v1/users/${userId}/connections/${connectionId}/calendars`);
    expect(relisted.body.calendars.find((c) => c.selected)?.id).toBe(to.id);
  });
});

describe('iCloud connections', () => {
  it('use ICLOUD_CALDAV_URL by default and write to the partition host that discovery names', async () => {
    icloud.setMode('home-set');
    const userId = h.id('apple');
    const connected = await h.api<{ id: string; provider: string }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'icloud',
      ...icloudUser,
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    expect(connected.body.provider).toBe('icloud');
    const listed = await h.api<{ calendars: CalendarJson[] }>('GET', `/v1/users/${userId}/connections/${connected.body.id}/calendars`);
    expect(listed.body.calendars).toHaveLength(1);
    const home = listed.body.calendars[0]!;
    expect(home.id.startsWith(icloud.partitionUrl)).toBe(true);

    const bookingId = h.id('bk');
    const frontBefore = icloud.frontRequests.length;
    await h.api(
      'POST',
      `/v1/bookings/${bookingId}/confirm`,
      confirmBody([{ userId, role: 'client', name: 'Chris', email: 'chris@example.com' }]),
    );
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
    expect(await icsAt(home.id, { bookingId, connectionId: connected.body.id }, icloudUser)).toContain('SUMMARY:Algebra lesson');
    expect(icloud.partitionRequests.some((r) => r.method === 'PUT')).toBe(true);
    expect(icloud.frontRequests.slice(frontBefore)).toEqual([]);
  });

  it('refuse a wrong password with a hint about app-specific passwords', async () => {
    icloud.setMode('home-set');
    const userId = h.id('apple');
    const res = await h.api<{ code: string; detail: string }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'icloud',
      username: icloudUser.username,
      password: 'my-apple-id-password',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_credentials');
    expect(res.body.detail).toMatch(/app-specific password/);
    expect((await h.api<{ connections: unknown[] }>('GET', `/v1/users/${userId}/connections`)).body.connections).toHaveLength(0);
  });

  it('follow a redirect to the partition host with the password, and refuse one to another site', async () => {
    icloud.setMode('redirect');
    const userId = h.id('moved');
    const ok = await h.api<{ id: string }>('POST', `/v1/users/${userId}/connections`, { provider: 'icloud', ...redirectedUser });
    expect(ok.status).toBe(201);

    icloud.setMode('foreign-redirect');
    const other = h.id('moved');
    const refused = await h.api<{ code: string; detail: string }>('POST', `/v1/users/${other}/connections`, {
      provider: 'icloud',
      ...redirectedUser,
    });
    expect(refused.status).toBe(400);
    // The user gets a generic answer; why it was refused is in the log only.
    expect(refused.body.detail).not.toMatch(/another site|307|localhost/);
    expect(h.logs.some((l) => l.includes('another site'))).toBe(true);
    expect((await h.api<{ connections: unknown[] }>('GET', `/v1/users/${other}/connections`)).body.connections).toHaveLength(0);
    icloud.setMode('home-set');
  });
});
