import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
const caldavUser = { username: `cals${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [caldavUser] });
  // Read every 2 s (15 min by default), 30 days ahead (90 by default).
  h = await startHarness({ BUSY_POLL_INTERVAL: '2s', BUSY_WINDOW: '30d' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

interface Freshness {
  connectionId: string;
  provider: string;
  syncedAt: string | null;
  covers: boolean;
  lastError: string | null;
}
interface Check {
  available: boolean;
  users: Array<{ userId: string; conflicts: Array<{ start: string; end: string }>; known: boolean; calendars: Freshness[] }>;
}
interface CalendarJson {
  id: string;
  name: string;
  countsForConflicts: boolean;
}
interface ConnectionJson {
  id: string;
  calendarId: string;
  syncEnabled: boolean;
  busyCalendarIds: string[] | null;
}

const day = (d: number) => new Date(Date.now() + d * 86_400_000);
const hour = (d: Date, h: number, m = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, m)).toISOString();
const utc = (iso: string) => ({ dateTime: iso.replace(/\.000Z$/, ''), timeZone: 'UTC' });

function check(userId: string, start: string, end: string) {
  return h.api<Check>('POST', '/v1/availability/check', { userIds: [userId], start, end });
}

/** Waits until the check of [start, end) for the user is known (every counted calendar read over it) and gives `conflicts`. */
function checkBecomes(userId: string, start: string, end: string, conflicts: Array<{ start: string; end: string }>) {
  return eventually(
    async () => {
      const res = await check(userId, start, end);
      expect(res.status).toBe(200);
      const user = res.body.users[0]!;
      return user.known && JSON.stringify(user.conflicts) === JSON.stringify(conflicts) ? res.body : undefined;
    },
    `availability of ${userId} in ${start}..${end} to show ${JSON.stringify(conflicts)}`,
  );
}

async function calendarsOf(userId: string, connectionId: string): Promise<CalendarJson[]> {
  const res = await h.api<{ calendars: CalendarJson[] }>('GET', `/v1/users/${userId}/connections/${connectionId}/calendars`);
  expect(res.status).toBe(200);
  return res.body.calendars;
}

/**
 * The connection as GET …/connections shows it, without what the connect's own background work
 * changes at any moment (its bulk sync's progress, the last busy read).
 */
async function connectionOf(userId: string, connectionId: string): Promise<ConnectionJson> {
  const res = await h.api<{ connections: Array<ConnectionJson & { bulkSync?: unknown; lastSyncedAt?: unknown }> }>(
    'GET',
    `/v1/users/${userId}/connections`,
  );
  const { bulkSync: _bulkSync, lastSyncedAt: _lastSyncedAt, ...connection } = res.body.connections.find((c) => c.id === connectionId)!;
  return connection;
}

describe('busy times from chosen calendars', () => {
  it('Google: a second (read-only) calendar counts in availability/check once chosen, and stops counting when unchosen', async () => {
    const userId = h.id('g');
    const { email, connectionId } = await h.connectGoogle(userId);
    const personal = await h.google.createCalendar(email, { summary: 'Personal', accessRole: 'reader' });
    const d = day(3);
    await h.google.createUserEvent(
      email,
      { summary: 'Dentist', start: { dateTime: hour(d, 9) }, end: { dateTime: hour(d, 10) } },
      {
        calendarId: personal.id,
      },
    );
    await h.google.createUserEvent(email, { summary: 'Call', start: { dateTime: hour(d, 14) }, end: { dateTime: hour(d, 15) } });

    // By default: the primary calendar (which events go to) counts, Personal does not.
    await checkBecomes(userId, hour(d, 8), hour(d, 16), [{ start: hour(d, 14), end: hour(d, 15) }]);
    expect((await calendarsOf(userId, connectionId)).map((c) => [c.name, c.countsForConflicts])).toEqual([
      [expect.any(String), true],
      ['Personal', false],
    ]);
    expect((await connectionOf(userId, connectionId)).busyCalendarIds).toBeNull();

    const chosen = await h.api<ConnectionJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {
      busyCalendarIds: ['primary', personal.id],
    });
    expect([chosen.status, chosen.body.busyCalendarIds]).toEqual([200, ['primary', personal.id]]);
    const both = await checkBecomes(userId, hour(d, 9, 30), hour(d, 14, 30), [
      { start: hour(d, 9), end: hour(d, 10) },
      { start: hour(d, 14), end: hour(d, 15) },
    ]);
    expect(both.available).toBe(false);
    expect(both.users[0]!.calendars).toEqual([
      { connectionId, provider: 'google', syncedAt: expect.any(String), covers: true, lastError: null },
    ]);
    expect((await calendarsOf(userId, connectionId)).every((c) => c.countsForConflicts)).toBe(true);

    // Only Personal: the primary calendar's busy time stops counting at once.
    const only = await h.api<ConnectionJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {
      busyCalendarIds: [personal.id],
    });
    expect(only.status).toBe(200);
    const immediately = await check(userId, hour(d, 14), hour(d, 15));
    expect(immediately.body.users[0]!.conflicts).toEqual([]);
    await checkBecomes(userId, hour(d, 8), hour(d, 16), [{ start: hour(d, 9), end: hour(d, 10) }]);
  });

  it('Outlook: busy time in another calendar of the mailbox counts once chosen', async () => {
    const userId = h.id('m');
    const { email, connectionId } = await h.connectMicrosoft(userId, `${userId.toLowerCase()}@contoso.test`);
    const family = await h.microsoft.createCalendar(email, { name: 'Family' });
    const d = day(4);
    await h.microsoft.createUserEvent(
      email,
      { subject: 'School run', start: utc(hour(d, 8)), end: utc(hour(d, 9)), showAs: 'busy' },
      {
        calendarId: family.id,
      },
    );
    await checkBecomes(userId, hour(d, 7), hour(d, 12), []);

    const chosen = await h.api<ConnectionJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {
      busyCalendarIds: ['primary', family.id],
    });
    expect(chosen.status).toBe(200);
    const result = await checkBecomes(userId, hour(d, 7), hour(d, 12), [{ start: hour(d, 8), end: hour(d, 9) }]);
    expect(result.available).toBe(false);
  });

  it('CalDAV: an event put into a second calendar counts once it is chosen; each counted calendar has its own read and error', async () => {
    const auth = basicAuth(caldavUser.username, caldavUser.password);
    await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'lessons', displayName: 'Lessons' });
    const family = await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'family', displayName: 'Family' });
    const userId = h.id('c');
    const connected = await h.api('POST', `/v1/users/${userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...caldavUser,
    });
    expect(connected.status).toBe(201);
    const res = await h.api<{ connections: ConnectionJson[] }>('GET', `/v1/users/${userId}/connections`);
    const { id: connectionId, calendarId: target } = res.body.connections[0]!;
    const listed = await calendarsOf(userId, connectionId);
    const second = listed.find((c) => c.name === 'Family' && c.id !== target) ?? listed.find((c) => c.id !== target)!;
    expect(second).toBeDefined();
    const secondUrl = second.name === 'Family' ? family : new URL(second.id, radicale.url).toString();

    // "The user" adds an event straight into the second calendar, over CalDAV.
    const d = day(6);
    const stamp = (t: string) => t.replace(/[-:]/g, '').replace(/\.\d+/, '');
    const uid = `fam-${randomBytes(4).toString('hex')}`;
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z']
      .concat([`DTSTART:${stamp(hour(d, 9))}`, `DTEND:${stamp(hour(d, 10))}`, 'SUMMARY:Parents evening', 'END:VEVENT', 'END:VCALENDAR', ''])
      .join('\r\n');
    const put = await fetch(new URL(`${uid}.ics`, secondUrl), {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'text/calendar' },
      body: ics,
    });
    expect(put.ok).toBe(true);
    // By default only the calendar events go to counts (CalDAV has no default calendar of its own).
    await checkBecomes(userId, hour(d, 8), hour(d, 12), []);

    const chosen = await h.api<ConnectionJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {
      busyCalendarIds: [target, second.id],
    });
    expect([chosen.status, chosen.body.busyCalendarIds]).toEqual([200, [target, second.id]]);
    const result = await checkBecomes(userId, hour(d, 8), hour(d, 12), [{ start: hour(d, 9), end: hour(d, 10) }]);
    expect(result.available).toBe(false);
    expect(result.users[0]!.calendars).toEqual([
      { connectionId, provider: 'caldav', syncedAt: expect.any(String), covers: true, lastError: null },
    ]);
    const range = `from=${encodeURIComponent(hour(d, 0))}&to=${encodeURIComponent(hour(d, 23))}`;
    const busy = await h.api<{ busy: Array<{ start: string; end: string }>; calendars: Freshness[] }>(
      'GET',
      `/v1/users/${userId}/busy?${range}`,
    );
    expect(busy.body.busy).toEqual([{ start: hour(d, 9), end: hour(d, 10) }]);
    expect(busy.body.calendars).toMatchObject([{ connectionId, covers: true, lastError: null }]);
    // `covers` rests on each counted calendar's own read over the range, the second one's too.
    const reads = await h.pool.query<{ calendar_id: string; window_from: Date; window_to: Date }>(
      'SELECT calendar_id, window_from, window_to FROM busy_calendars WHERE connection_id = $1 AND counts ORDER BY calendar_id',
      [connectionId],
    );
    expect(reads.rows.map((r) => r.calendar_id).sort()).toEqual([target, second.id].sort());
    for (const r of reads.rows) expect([r.window_from <= new Date(hour(d, 0)), r.window_to >= new Date(hour(d, 23))]).toEqual([true, true]);

    // The second calendar is deleted on the server: its error shows, the account is not blamed,
    // and the calendar events go to is still read (a new event there appears).
    const gone = await fetch(secondUrl, { method: 'DELETE', headers: { authorization: auth } });
    expect(gone.ok).toBe(true);
    const failed = await eventually(async () => {
      const r = await h.api<{ calendars: Freshness[] }>('GET', `/v1/users/${userId}/busy?${range}`);
      return r.body.calendars[0]?.lastError ? r.body.calendars[0] : undefined;
    }, "the second calendar's read error");
    expect(failed.lastError).toMatch(/404|not found/i);
    const targetUid = `own-${randomBytes(4).toString('hex')}`;
    const own = ics
      .replaceAll(uid, targetUid)
      .replace(stamp(hour(d, 9)), stamp(hour(d, 14)))
      .replace(stamp(hour(d, 10)), stamp(hour(d, 15)));
    const targetUrl = new URL(target, radicale.url);
    expect(
      (
        await fetch(new URL(`${targetUid}.ics`, targetUrl), {
          method: 'PUT',
          headers: { authorization: auth, 'content-type': 'text/calendar' },
          body: own,
        })
      ).ok,
    ).toBe(true);
    await eventually(async () => {
      const r = await h.api<{ busy: Array<{ start: string; end: string }> }>('GET', `/v1/users/${userId}/busy?${range}`);
      return r.body.busy.some((b) => b.start === hour(d, 14)) ? true : undefined;
    }, 'the new event in the calendar events go to');
    expect(
      (await h.api<{ connections: Array<{ id: string; status: string }> }>('GET', `/v1/users/${userId}/connections`)).body.connections[0],
    ).toMatchObject({
      id: connectionId,
      status: 'active',
    });
  });

  it('a PATCH naming a calendar the account cannot read is refused with 400 and changes nothing', async () => {
    const userId = h.id('g');
    const { email, connectionId } = await h.connectGoogle(userId);
    const work = await h.google.createCalendar(email, { summary: 'Work' });
    const other = h.id('other');
    const elsewhere = await h.google.createCalendar((await h.connectGoogle(other)).email, { summary: "Someone else's" });
    const before = await connectionOf(userId, connectionId);

    const refused = await h.api<{ code: string; detail: string }>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {
      calendarId: work.id,
      syncEnabled: false,
      busyCalendarIds: [work.id, elsewhere.id],
    });
    expect([refused.status, refused.body.code]).toEqual([400, 'busy_calendar_not_found']);
    expect(refused.body.detail).toContain('busyCalendarIds[1]');
    expect(refused.body.detail).not.toContain(elsewhere.id);
    expect(await connectionOf(userId, connectionId)).toEqual(before);
    expect(before).toMatchObject({ calendarId: 'primary', syncEnabled: true, busyCalendarIds: null });

    const empty = await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { busyCalendarIds: [] });
    expect(empty.status).toBe(400);
    expect(await connectionOf(userId, connectionId)).toEqual(before);
  });

  it('reads BUSY_WINDOW ahead: busy time beyond it is not read, and a range past it is not covered', async () => {
    const userId = h.id('g');
    const { email } = await h.connectGoogle(userId);
    const near = day(20);
    const far = day(40);
    await h.google.createUserEvent(email, { summary: 'Near', start: { dateTime: hour(near, 9) }, end: { dateTime: hour(near, 10) } });
    await h.google.createUserEvent(email, { summary: 'Far', start: { dateTime: hour(far, 9) }, end: { dateTime: hour(far, 10) } });
    await checkBecomes(userId, hour(near, 0), hour(near, 23), [{ start: hour(near, 9), end: hour(near, 10) }]);

    const beyond = await check(userId, hour(far, 0), hour(far, 23));
    expect(beyond.body.users[0]).toMatchObject({ conflicts: [], known: false, calendars: [{ covers: false, lastError: null }] });
    const range = `from=${encodeURIComponent(hour(day(15), 0))}&to=${encodeURIComponent(hour(day(45), 0))}`;
    const busy = await h.api<{ busy: Array<{ start: string; end: string }>; calendars: Freshness[] }>(
      'GET',
      `/v1/users/${userId}/busy?${range}`,
    );
    expect(busy.body.busy).toEqual([{ start: hour(near, 9), end: hour(near, 10) }]);
    expect(busy.body.calendars.map((c) => c.covers)).toEqual([false]);
  });
});
