import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../src/dev/radicale';
import { objectUrl } from '../../src/providers/caldav';
import { TAG_PROPERTY_ID, tagValue } from '../../src/providers/microsoft';
import { confirmBody, getBooking, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
const user = { username: `client${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
let calendarUrl: string;

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [user] });
  calendarUrl = await createCalendar(radicale.url, user.username, user.password, { slug: 'personal', displayName: 'Personal' });
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

const basic = () => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

async function icsOf(bookingId: string, connectionId: string): Promise<string | undefined> {
  const res = await fetch(objectUrl(calendarUrl, { bookingId, connectionId }), { headers: { authorization: basic() } });
  return res.status === 200 ? res.text() : undefined;
}

describe('CalDAV connections', () => {
  it('a wrong password is refused with invalid_credentials and stores nothing', async () => {
    const userId = h.id('client');
    const res = await h.api<{ error: { code: string; message: string } }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      username: user.username,
      password: 'wrong-password',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_credentials');
    expect(JSON.stringify(res.body)).not.toContain('wrong-password');
    const list = await h.api<{ connections: unknown[] }>('GET', `/v1/users/${userId}/connections`);
    expect(list.body.connections).toHaveLength(0);
    const unreachable = await h.api<{ error: { code: string } }>('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: 'http://127.0.0.1:1/',
      username: 'x',
      password: 'y',
    });
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.error.code).toBe('caldav_unreachable');
  });

  it('a booking whose tutor uses Outlook and whose client uses CalDAV gets both events created, moved and removed', async () => {
    const tutorId = h.id('tutor');
    const clientId = h.id('client');
    const outlook = await h.connectMicrosoft(tutorId, `${tutorId}@contoso.test`);
    const connected = await h.api<{ id: string; provider: string; accountEmail: string; status: string }>('POST', `/v1/users/${clientId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      username: user.username,
      password: user.password,
    });
    expect(connected.status).toBe(201);
    expect(connected.body).toMatchObject({ provider: 'caldav', accountEmail: user.username, status: 'active' });
    expect(JSON.stringify(connected.body)).not.toContain(user.password);
    const caldavId = connected.body.id;

    const tutor: TestParticipant = { userId: tutorId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
    const client: TestParticipant = { userId: clientId, role: 'client', name: 'Bob Builder', email: 'bob@example.com' };
    const bookingId = h.id('bk');
    const outlookEvents = async () =>
      (await h.microsoft.listEvents(outlook.email)).filter((e) =>
        e.singleValueExtendedProperties?.some((p) => p.id === TAG_PROPERTY_ID && p.value === tagValue({ bookingId, connectionId: outlook.connectionId })),
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
    await eventually(async () => ((await getBooking(h, bookingId)).calendars.every((c) => c.state === 'deleted') ? true : undefined), 'cancel');
    expect(await icsOf(bookingId, caldavId)).toBeUndefined();
    expect(await outlookEvents()).toHaveLength(0);
  });
});
