import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { confirmBody, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
const caldavUser = { username: `busy${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
let calendarUrl: string;

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [caldavUser] });
  calendarUrl = await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'personal', displayName: 'Personal' });
  // Busy times are read every 2 s here (15 min by default), so "within one poll" is quick.
  h = await startHarness({ BUSY_POLL_INTERVAL: '2s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

interface BusyJson {
  busy: Array<{ start: string; end: string }>;
  calendars: Array<{ connectionId: string; provider: string; syncedAt: string | null; covers: boolean; lastError: string | null }>;
}

const day = (d: number) => new Date(Date.now() + d * 86_400_000);
const hour = (d: Date, h: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h)).toISOString();
const range = () => `from=${encodeURIComponent(day(0).toISOString())}&to=${encodeURIComponent(day(30).toISOString())}`;

async function busyOf(userId: string): Promise<BusyJson> {
  const res = await h.api<BusyJson>('GET', `/v1/users/${userId}/busy?${range()}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Waits until the user's busy times are exactly `expected` (after at least one read). */
function busyBecomes(userId: string, expected: Array<{ start: string; end: string }>): Promise<BusyJson> {
  return eventually(
    async () => {
      const b = await busyOf(userId);
      const synced = b.calendars.length > 0 && b.calendars.every((c) => c.syncedAt !== null);
      return synced && JSON.stringify(b.busy) === JSON.stringify(expected) ? b : undefined;
    },
    `busy times of ${userId} to be ${JSON.stringify(expected)}`,
  );
}

async function bookOwnEvent(userId: string, start: string, end: string): Promise<void> {
  const bookingId = h.id('bk');
  const p: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
  expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([p], { start, end }))).status).toBe(202);
  try {
    await settled(h, bookingId, (v) => v.calendars.every((c) => c.state === 'synced'));
  } catch (err) {
    console.log(JSON.stringify((await h.api('GET', `/v1/bookings/${bookingId}`)).body), h.logs.slice(-15).join(''));
    throw err;
  }
}

describe('busy times', () => {
  it('Google: a user event appears within one poll and goes when deleted; free events and our bookings never appear', async () => {
    const userId = h.id('g');
    const { email } = await h.connectGoogle(userId);
    const d = day(3);
    await bookOwnEvent(userId, hour(d, 15), hour(d, 16));
    const dentist = await h.google.createUserEvent(email, {
      summary: 'Dentist',
      start: { dateTime: hour(d, 9) },
      end: { dateTime: hour(d, 10) },
    });
    await h.google.createUserEvent(email, {
      summary: 'Lunch',
      start: { dateTime: hour(d, 12) },
      end: { dateTime: hour(d, 13) },
      transparency: 'transparent',
    });
    const b = await busyBecomes(userId, [{ start: hour(d, 9), end: hour(d, 10) }]);
    expect(b.calendars[0]).toMatchObject({ provider: 'google', covers: true, lastError: null });
    await h.google.deleteUserEvent(email, dentist.id);
    await busyBecomes(userId, []);
  });

  it('Outlook: a user event appears, a free one does not', async () => {
    const userId = h.id('m');
    const { email } = await h.connectMicrosoft(userId, `${userId.toLowerCase()}@contoso.test`);
    const d = day(4);
    await bookOwnEvent(userId, hour(d, 15), hour(d, 16));
    const utc = (iso: string) => ({ dateTime: iso.replace(/\.000Z$/, ''), timeZone: 'UTC' });
    const meeting = await h.microsoft.createUserEvent(email, {
      subject: 'Team meeting',
      start: utc(hour(d, 9)),
      end: utc(hour(d, 11)),
      showAs: 'busy',
    });
    await h.microsoft.createUserEvent(email, { subject: 'Focus', start: utc(hour(d, 12)), end: utc(hour(d, 13)), showAs: 'free' });
    await busyBecomes(userId, [{ start: hour(d, 9), end: hour(d, 11) }]);
    await h.microsoft.deleteUserEvent(email, meeting.id);
    await busyBecomes(userId, []);
  });

  it('CalDAV: a user event appears within one poll; a transparent one does not', async () => {
    const userId = h.id('c');
    const connected = await h.api('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...caldavUser,
    });
    expect(connected.status).toBe(201);
    const d = day(5);
    const put = async (uid: string, start: string, end: string, extra: string[] = []) => {
      const stamp = (t: string) => t.replace(/[-:]/g, '').replace(/\.\d+/, '');
      const ics = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//test//EN',
        'BEGIN:VEVENT',
        `UID:${uid}`,
        'DTSTAMP:20260101T000000Z',
        `DTSTART:${stamp(start)}`,
        `DTEND:${stamp(end)}`,
        'SUMMARY:Private',
        ...extra,
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n');
      const res = await fetch(new URL(`${uid}.ics`, calendarUrl), {
        method: 'PUT',
        headers: {
          authorization: `Basic ${Buffer.from(`${caldavUser.username}:${caldavUser.password}`).toString('base64')}`,
          'content-type': 'text/calendar',
        },
        body: ics,
      });
      expect(res.ok).toBe(true);
    };
    await put(`u-${randomBytes(4).toString('hex')}`, hour(d, 8), hour(d, 9));
    await put(`u-${randomBytes(4).toString('hex')}`, hour(d, 10), hour(d, 11), ['TRANSP:TRANSPARENT']);
    await busyBecomes(userId, [{ start: hour(d, 8), end: hour(d, 9) }]);
  });

  it('an expired sync token (Google) or delta link (Outlook) is recovered by a full read', async () => {
    const cursorExpiries = async (connectionId: string) =>
      (
        await h.pool.query<{ n: number }>('SELECT sum(cursor_expiries)::int AS n FROM busy_calendars WHERE connection_id = $1', [
          connectionId,
        ])
      ).rows[0]!.n;
    const g = h.id('g');
    const google = await h.connectGoogle(g);
    const m = h.id('m');
    const outlook = await h.connectMicrosoft(m, `${m.toLowerCase()}@contoso.test`);
    const d = day(7);
    const utc = (iso: string) => ({ dateTime: iso.replace(/\.000Z$/, ''), timeZone: 'UTC' });
    // A first read, so each connection holds a cursor.
    await h.google.createUserEvent(google.email, { summary: 'Before', start: { dateTime: hour(d, 8) }, end: { dateTime: hour(d, 9) } });
    await h.microsoft.createUserEvent(outlook.email, { subject: 'Before', start: utc(hour(d, 8)), end: utc(hour(d, 9)), showAs: 'busy' });
    await busyBecomes(g, [{ start: hour(d, 8), end: hour(d, 9) }]);
    await busyBecomes(m, [{ start: hour(d, 8), end: hour(d, 9) }]);
    expect(await cursorExpiries(google.connectionId)).toBe(0);

    await h.google.invalidateSyncTokens(google.email);
    await h.microsoft.invalidateDeltaTokens(outlook.email);
    await h.google.createUserEvent(google.email, { summary: 'After', start: { dateTime: hour(d, 10) }, end: { dateTime: hour(d, 11) } });
    await h.microsoft.createUserEvent(outlook.email, { subject: 'After', start: utc(hour(d, 10)), end: utc(hour(d, 11)), showAs: 'busy' });
    await busyBecomes(g, [
      { start: hour(d, 8), end: hour(d, 9) },
      { start: hour(d, 10), end: hour(d, 11) },
    ]);
    await busyBecomes(m, [
      { start: hour(d, 8), end: hour(d, 9) },
      { start: hour(d, 10), end: hour(d, 11) },
    ]);
    expect(await cursorExpiries(google.connectionId)).toBe(1);
    expect(await cursorExpiries(outlook.connectionId)).toBe(1);
    const errors = await h.pool.query('SELECT error AS busy_error FROM busy_calendars WHERE connection_id = ANY($1::uuid[])', [
      [google.connectionId, outlook.connectionId],
    ]);
    expect(errors.rows).toEqual([{ busy_error: null }, { busy_error: null }]);
  });

  it('availability check reports a conflict with an external event and none with a free slot', async () => {
    const tutor = h.id('g');
    const { email } = await h.connectGoogle(tutor);
    const client = h.id('nocal');
    const d = day(6);
    await h.google.createUserEvent(email, { summary: 'Busy', start: { dateTime: hour(d, 9) }, end: { dateTime: hour(d, 10) } });
    await busyBecomes(tutor, [{ start: hour(d, 9), end: hour(d, 10) }]);

    type Check = { available: boolean; users: Array<{ userId: string; conflicts: Array<{ start: string; end: string }>; known: boolean }> };
    const clash = await h.api<Check>('POST', '/v1/availability/check', {
      userIds: [tutor, client],
      start: hour(d, 9).replace(':00:00', ':30:00'),
      end: hour(d, 11),
    });
    expect(clash.status).toBe(200);
    expect(clash.body.available).toBe(false);
    expect(clash.body.users.find((u) => u.userId === tutor)).toMatchObject({
      conflicts: [{ start: hour(d, 9), end: hour(d, 10) }],
      known: true,
    });
    // A user with no calendar has no conflicts, but the answer says it is not known.
    expect(clash.body.users.find((u) => u.userId === client)).toMatchObject({ conflicts: [], known: false });

    const free = await h.api<Check>('POST', '/v1/availability/check', { userIds: [tutor], start: hour(d, 10), end: hour(d, 11) });
    expect(free.body).toMatchObject({ available: true, users: [{ userId: tutor, conflicts: [], known: true }] });
  });

  it('a user with two calendars: busy times are their merge; a slot is known only once both calendars have been read', async () => {
    const userId = h.id('two');
    const google = await h.connectGoogle(userId);
    const outlookEmail = `${userId.toLowerCase()}@contoso.test`;
    // The Outlook calendar cannot be read (503) until the fault is cleared below.
    await h.microsoft.addFault({
      method: 'GET',
      path: 'calendarView/delta',
      account: outlookEmail,
      status: 503,
      retryAfterSeconds: 1,
      times: 'always',
    });
    await h.connectMicrosoft(userId, outlookEmail);
    const d = day(8);
    const half = (hh: number) => hour(d, hh).replace(':00:00', ':30:00');
    const utc = (iso: string) => ({ dateTime: iso.replace(/\.000Z$/, ''), timeZone: 'UTC' });
    await h.google.createUserEvent(google.email, { summary: 'Dentist', start: { dateTime: hour(d, 9) }, end: { dateTime: hour(d, 10) } });
    await h.google.createUserEvent(google.email, { summary: 'Gym', start: { dateTime: hour(d, 14) }, end: { dateTime: hour(d, 15) } });
    await h.microsoft.createUserEvent(outlookEmail, { subject: 'Meeting', start: utc(half(9)), end: utc(hour(d, 11)), showAs: 'busy' });

    type Check = {
      available: boolean;
      users: Array<{
        conflicts: Array<{ start: string; end: string }>;
        known: boolean;
        calendars: Array<{ provider: string; covers: boolean }>;
      }>;
    };
    const check = async (start: string, end: string) =>
      (await h.api<Check>('POST', '/v1/availability/check', { userIds: [userId], start, end })).body;

    // Google read, Outlook tried and failed: only Google's busy times, and no slot is known.
    const before = await eventually(async () => {
      const b = await busyOf(userId);
      const [g, m] = b.calendars;
      return g?.syncedAt &&
        m?.lastError &&
        JSON.stringify(b.busy) ===
          JSON.stringify([
            { start: hour(d, 9), end: hour(d, 10) },
            { start: hour(d, 14), end: hour(d, 15) },
          ])
        ? b
        : undefined;
    }, 'Google read, Outlook failing');
    expect(before.calendars.map((c) => [c.provider, c.covers, c.syncedAt === null])).toEqual([
      ['google', true, false],
      ['microsoft', false, true],
    ]);
    // Free in Google, busy in the unread Outlook calendar: no conflict seen, and the answer says it is not known.
    expect(await check(hour(d, 10), hour(d, 11))).toMatchObject({ available: true, users: [{ conflicts: [], known: false }] });
    expect(await check(half(9), hour(d, 10))).toMatchObject({
      available: false,
      users: [{ conflicts: [{ start: hour(d, 9), end: hour(d, 10) }], known: false }],
    });

    await h.microsoft.clearFaults();
    // Both read: one list, Google's 09:00–10:00 and Outlook's 09:30–11:00 joined.
    const after = await busyBecomes(userId, [
      { start: hour(d, 9), end: hour(d, 11) },
      { start: hour(d, 14), end: hour(d, 15) },
    ]);
    expect(after.calendars.map((c) => [c.provider, c.covers])).toEqual([
      ['google', true],
      ['microsoft', true],
    ]);
    expect(await check(hour(d, 10), hour(d, 11))).toMatchObject({
      available: false,
      users: [{ conflicts: [{ start: half(9), end: hour(d, 11) }], known: true }],
    });
    // A slot overlapping events of both calendars: one conflict, the two joined.
    expect(await check(half(9), hour(d, 10))).toMatchObject({
      available: false,
      users: [{ conflicts: [{ start: hour(d, 9), end: hour(d, 11) }], known: true }],
    });
    expect(await check(hour(d, 12), hour(d, 13))).toMatchObject({ available: true, users: [{ conflicts: [], known: true }] });
  });

  it('refuses bad ranges and bodies', async () => {
    const u = h.id('g');
    const bad = async (path: string) => (await h.api('GET', path)).status;
    expect(await bad(`/v1/users/${u}/busy`)).toBe(400);
    expect(await bad(`/v1/users/${u}/busy?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`)).toBe(400);
    expect(await bad(`/v1/users/${u}/busy?from=2030-01-01T00:00:00Z&to=2030-06-01T00:00:00Z`)).toBe(400);
    expect(await bad(`/v1/users/${u}/busy?from=yesterday&to=2030-06-01T00:00:00Z`)).toBe(400);
    const check = async (body: unknown) => (await h.api('POST', '/v1/availability/check', body)).status;
    expect(await check({ userIds: [], start: '2030-01-01T09:00:00Z', end: '2030-01-01T10:00:00Z' })).toBe(400);
    expect(await check({ userIds: [u], start: '2030-01-01T10:00:00Z', end: '2030-01-01T09:00:00Z' })).toBe(400);
    expect(await check({ userIds: [u], start: '2030-01-01T09:00:00Z', end: '2030-01-01T10:00:00Z', extra: true })).toBe(400);
    expect(
      (
        await h.api(
          'POST',
          '/v1/availability/check',
          { userIds: [u], start: '2030-01-01T09:00:00Z', end: '2030-01-01T10:00:00Z' },
          { key: null },
        )
      ).status,
    ).toBe(401);
  });
});
