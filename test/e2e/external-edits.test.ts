import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startNotifyReceiver } from '../support/notify-receiver';

// Users deleting or moving the events this service wrote, and external events clashing with
// bookings: seen by busy-time reads (every 2 s here), reported once, and under `restore` undone.

const day = (d: number) => new Date(Date.now() + d * 86_400_000);
const hour = (d: Date, h: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h)).toISOString();
/** An instant as an iCalendar UTC date-time: 20300501T150000Z. */
const icsTime = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');

type Receiver = Awaited<ReturnType<typeof startNotifyReceiver>>;

/** Connecting starts a bulk sync that rewrites the user's bookings: a user's edit during it would be overwritten, as it should. */
async function bulkSyncDone(h: Harness, userId: string, connectionId: string): Promise<void> {
  await eventually(async () => {
    const res = await h.api<{ connections: Array<{ id: string; bulkSync?: { state: string } }> }>('GET', `/v1/users/${userId}/connections`);
    return res.body.connections.find((c) => c.id === connectionId)?.bulkSync?.state === 'completed' ? true : undefined;
  }, `bulk sync of ${connectionId}`);
}

async function book(h: Harness, userId: string, start: string, end: string): Promise<{ bookingId: string; externalEventId: string }> {
  const bookingId = h.id('bk');
  const p: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
  expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([p], { start, end }))).status).toBe(202);
  const v = await settled(h, bookingId, (b) => b.calendars.length === 1 && b.calendars.every((c) => c.state === 'synced'));
  return { bookingId, externalEventId: v.calendars[0]!.externalEventId! };
}

function calendarState(h: Harness, bookingId: string, state: string) {
  return eventually(async () => {
    const v = await h.api<{ calendars: Array<{ state: string; externallyChangedAt?: string }> }>('GET', `/v1/bookings/${bookingId}`);
    return v.body.calendars[0]?.state === state ? v.body.calendars[0] : undefined;
  }, `booking ${bookingId} calendar state ${state}`);
}

/** Waits until the connection's busy times were read `n` more times than now (each read is a full chance to act). */
async function moreReads(h: Harness, connectionId: string, n: number): Promise<void> {
  const at = async () =>
    (
      await h.pool.query<{ t: Date }>('SELECT max(synced_at) AS t FROM busy_calendars WHERE connection_id = $1', [connectionId])
    ).rows[0]!.t.getTime();
  let last = await at();
  for (let i = 0; i < n; i++) {
    last = await eventually(
      async () => {
        const t = await at();
        return t > last ? t : undefined;
      },
      `busy read ${i + 1} of ${n} on ${connectionId}`,
    );
  }
}

/** A harness whose NOTIFY_URL is a recording receiver, for one describe block; calendars are read every 2 s. */
function harnessFor(env: Record<string, string>, answer?: Parameters<typeof startNotifyReceiver>[0]): { h: Harness; receiver: Receiver } {
  const ctx = {} as { h: Harness; receiver: Receiver };
  beforeAll(async () => {
    ctx.receiver = await startNotifyReceiver(answer);
    ctx.h = await startHarness({ NOTIFY_URL: ctx.receiver.url, BUSY_POLL_INTERVAL: '2s', ...env });
  }, 600_000);
  afterAll(async () => {
    await ctx.h?.close();
    await ctx.receiver?.close();
  });
  return ctx;
}

/** A new user with a connected calendar whose first bulk sync is over. */
async function connected(h: Harness, provider: 'google' | 'microsoft'): Promise<{ userId: string; email: string; connectionId: string }> {
  const userId = h.id(provider === 'google' ? 'g' : 'm');
  const c =
    provider === 'google' ? await h.connectGoogle(userId) : await h.connectMicrosoft(userId, `${userId.toLowerCase()}@contoso.test`);
  await bulkSyncDone(h, userId, c.connectionId);
  return { userId, ...c };
}

/** One Radicale for the file; each test that uses it has an account of its own. */
let radicale: RadicaleServer;
const newCalDavUser = () => ({ username: `edit${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') });
const caldavUsers = { respect: newCalDavUser(), restore: newCalDavUser() };
beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: Object.values(caldavUsers) });
}, 600_000);
afterAll(async () => {
  await radicale?.stop();
});

interface CalDavAccount {
  userId: string;
  connectionId: string;
  calendarUrl: string;
  /** The object at `url` as the server stores it; undefined when it is not there. */
  get(url: string): Promise<{ ics: string; etag: string } | undefined>;
  /** The user moves the event at `url` in their own client (a conditional PUT, as clients write). */
  move(url: string, start: string, end: string): Promise<void>;
  auth: { authorization: string };
}

/** A new user whose Radicale calendar is connected and whose first bulk sync is over. */
async function connectedCalDav(h: Harness, user: { username: string; password: string }): Promise<CalDavAccount> {
  const calendarUrl = await createCalendar(radicale.url, user.username, user.password, { slug: 'personal', displayName: 'Personal' });
  const userId = h.id('c');
  const conn = await h.api<{ id: string }>('POST', `/v1/users/${userId}/connections`, {
    provider: 'caldav',
    serverUrl: radicale.url,
    ...user,
  });
  expect(conn.status).toBe(201);
  await bulkSyncDone(h, userId, conn.body.id);
  const auth = { authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` };
  const get = async (url: string) => {
    const res = await fetch(url, { headers: auth });
    return res.status === 200 ? { ics: await res.text(), etag: res.headers.get('etag')! } : undefined;
  };
  const move = async (url: string, start: string, end: string) => {
    const current = await get(url);
    if (!current) throw new Error(`no event at ${url} to move`);
    const moved = current.ics.replace(/^DTSTART[;:].*$/m, `DTSTART:${icsTime(start)}`).replace(/^DTEND[;:].*$/m, `DTEND:${icsTime(end)}`);
    const res = await fetch(url, {
      method: 'PUT',
      headers: { ...auth, 'if-match': current.etag, 'content-type': 'text/calendar; charset=utf-8' },
      body: moved,
    });
    if (!res.ok) throw new Error(`moving the event failed: ${res.status}`);
  };
  return { userId, connectionId: conn.body.id, calendarUrl, get, move, auth };
}

describe('EXTERNAL_EDIT_POLICY=respect (default)', () => {
  // The booking system refuses each event's first delivery.
  const ctx = harnessFor({}, (_n, attempt) => (attempt === 1 ? 503 : 200));

  it('Google: a deleted event is shown removed_externally, logged, reported once, and left deleted', async () => {
    const { h, receiver } = ctx;
    const { userId, email, connectionId } = await connected(h, 'google');
    const d = day(3);
    const { bookingId, externalEventId } = await book(h, userId, hour(d, 15), hour(d, 16));
    await moreReads(h, connectionId, 1);
    await h.google.deleteUserEvent(email, externalEventId);
    const cal = await calendarState(h, bookingId, 'removed_externally');
    expect(cal.externallyChangedAt).toEqual(expect.any(String));
    await eventually(
      () => (receiver.accepted('booking.removed_externally', bookingId).length > 0 ? true : undefined),
      'removed_externally delivered',
    );
    await moreReads(h, connectionId, 3);
    expect(receiver.accepted('booking.removed_externally', bookingId)).toHaveLength(1);
    expect(receiver.accepted('booking.removed_externally', bookingId)[0]!.data).toMatchObject({ userId, connectionId, policy: 'respect' });
    expect((await eventsFor(h, email, bookingId)).length).toBe(0);
    const log = await h.pool.query('SELECT operation FROM sync_log WHERE booking_id = $1 AND operation LIKE $2', [bookingId, 'external_%']);
    expect(log.rows).toEqual([{ operation: 'external_delete' }]);
  });

  it('Google: a moved event is shown moved_externally and reported once', async () => {
    const { h, receiver } = ctx;
    const { userId, email, connectionId } = await connected(h, 'google');
    const d = day(4);
    const { bookingId, externalEventId } = await book(h, userId, hour(d, 15), hour(d, 16));
    await h.google.updateUserEvent(email, externalEventId, { start: { dateTime: hour(d, 17) }, end: { dateTime: hour(d, 18) } });
    await calendarState(h, bookingId, 'moved_externally');
    await eventually(
      () => (receiver.accepted('booking.moved_externally', bookingId).length > 0 ? true : undefined),
      'moved_externally delivered',
    );
    await moreReads(h, connectionId, 2);
    expect(receiver.accepted('booking.moved_externally', bookingId)).toHaveLength(1);
    // Respected: the event stays where the user put it.
    const [e] = await eventsFor(h, email, bookingId);
    expect(Date.parse(e!.start.dateTime!)).toBe(Date.parse(hour(d, 17)));
  });

  it('CalDAV: a moved event is shown moved_externally, reported once, and left where the user put it', async () => {
    const { h, receiver } = ctx;
    const c = await connectedCalDav(h, caldavUsers.respect);
    const d = day(4);
    const { bookingId, externalEventId } = await book(h, c.userId, hour(d, 15), hour(d, 16));
    await c.move(externalEventId, hour(d, 17), hour(d, 18));
    await calendarState(h, bookingId, 'moved_externally');
    await eventually(
      () => (receiver.accepted('booking.moved_externally', bookingId).length > 0 ? true : undefined),
      'moved_externally delivered',
    );
    await moreReads(h, c.connectionId, 2);
    expect(receiver.accepted('booking.moved_externally', bookingId)).toHaveLength(1);
    expect(receiver.accepted('booking.moved_externally', bookingId)[0]!.data).toMatchObject({
      userId: c.userId,
      connectionId: c.connectionId,
      policy: 'respect',
    });
    expect((await c.get(externalEventId))?.ics).toContain(`DTSTART:${icsTime(hour(d, 17))}`);
    const log = await h.pool.query('SELECT operation FROM sync_log WHERE booking_id = $1 AND operation LIKE $2', [bookingId, 'external_%']);
    expect(log.rows).toEqual([{ operation: 'external_move' }]);
  });

  it('Outlook: a booking at a fraction of a second is not taken for a move (Graph keeps whole seconds)', async () => {
    const { h, receiver } = ctx;
    const { userId, connectionId } = await connected(h, 'microsoft');
    const d = day(6);
    const { bookingId } = await book(h, userId, hour(d, 15).replace('.000Z', '.500Z'), hour(d, 16).replace('.000Z', '.250Z'));
    await moreReads(h, connectionId, 3);
    expect((await h.api<{ calendars: Array<{ state: string }> }>('GET', `/v1/bookings/${bookingId}`)).body.calendars[0]!.state).toBe(
      'synced',
    );
    expect(receiver.received.filter((n) => n.data['bookingId'] === bookingId && n.type.endsWith('_externally'))).toEqual([]);
  });

  it('an external event overlapping a booking is reported as booking.conflict_detected, once', async () => {
    const { h, receiver } = ctx;
    const { userId, email, connectionId } = await connected(h, 'google');
    const d = day(5);
    const { bookingId } = await book(h, userId, hour(d, 15), hour(d, 16));
    const { bookingId: calm } = await book(h, userId, hour(d, 10), hour(d, 11));
    await h.google.createUserEvent(email, { summary: 'Gym', start: { dateTime: hour(d, 14) }, end: { dateTime: hour(d, 16) } });
    const [n] = await eventually(() => {
      const got = receiver.accepted('booking.conflict_detected', bookingId);
      return got.length > 0 ? got : undefined;
    }, 'conflict_detected delivered');
    expect(n!.data).toMatchObject({ bookingId, userId, connectionId, busyStart: hour(d, 14), busyEnd: hour(d, 16) });
    await moreReads(h, connectionId, 2);
    expect(receiver.accepted('booking.conflict_detected', bookingId)).toHaveLength(1);
    expect(receiver.received.filter((r) => r.type === 'booking.conflict_detected' && r.data['bookingId'] === calm)).toEqual([]);
  });
});

describe('EXTERNAL_EDIT_POLICY=restore', () => {
  const ctx = harnessFor({ EXTERNAL_EDIT_POLICY: 'restore' });

  it('Google: a deleted event comes back exactly once, and the booking system hears of it once', async () => {
    const { h, receiver } = ctx;
    const { userId, email, connectionId } = await connected(h, 'google');
    const d = day(3);
    const { bookingId, externalEventId } = await book(h, userId, hour(d, 15), hour(d, 16));
    await h.google.deleteUserEvent(email, externalEventId);
    await eventually(
      () => (receiver.accepted('booking.removed_externally', bookingId).length > 0 ? true : undefined),
      'removed_externally delivered',
    );
    await eventually(async () => ((await eventsFor(h, email, bookingId)).length === 1 ? true : undefined), 'the event back');
    await calendarState(h, bookingId, 'synced');
    await moreReads(h, connectionId, 3);
    expect(await eventsFor(h, email, bookingId)).toHaveLength(1);
    expect(receiver.accepted('booking.removed_externally', bookingId)).toHaveLength(1);
  });

  it('CalDAV: a deleted event comes back exactly once (found by the next poll)', async () => {
    const { h, receiver } = ctx;
    const c = await connectedCalDav(h, caldavUsers.restore);
    const d = day(5);
    const { bookingId, externalEventId } = await book(h, c.userId, hour(d, 15), hour(d, 16));
    const exists = async () => (await fetch(externalEventId, { headers: c.auth })).status;
    expect(externalEventId.startsWith(c.calendarUrl)).toBe(true);
    expect(await exists()).toBe(200);
    expect((await fetch(externalEventId, { method: 'DELETE', headers: c.auth })).status).toBeLessThan(300);
    await eventually(
      () => (receiver.accepted('booking.removed_externally', bookingId).length > 0 ? true : undefined),
      'removed_externally delivered',
    );
    await eventually(async () => ((await exists()) === 200 ? true : undefined), 'the CalDAV event back');
    await moreReads(h, c.connectionId, 3);
    // One object for the booking in the collection: the same URL, nothing beside it.
    const listing = await fetch(c.calendarUrl, { method: 'PROPFIND', headers: { ...c.auth, depth: '1' } });
    const hrefs = [...(await listing.text()).matchAll(/<[^>]*href>([^<]+\.ics)</g)].map((m) => m[1]);
    expect(hrefs).toEqual([new URL(externalEventId).pathname]);
    expect(receiver.accepted('booking.removed_externally', bookingId)).toHaveLength(1);
  });

  it('Outlook: a deleted event comes back exactly once (a new event), a moved one goes back to the booking time', async () => {
    const { h, receiver } = ctx;
    const { userId, email, connectionId } = await connected(h, 'microsoft');
    const d = day(4);
    const { bookingId, externalEventId } = await book(h, userId, hour(d, 15), hour(d, 16));
    const ours = async () => (await h.microsoft.listEvents(email)).filter((e) => (e.transactionId ?? '').startsWith('b0c5ca1e-'));
    expect(await ours()).toHaveLength(1);
    await h.microsoft.deleteUserEvent(email, externalEventId);
    const back = await eventually(async () => {
      const now = await ours();
      return now.length === 1 && now[0]!.id !== externalEventId ? now[0]! : undefined;
    }, 'the Outlook event back');
    await moreReads(h, connectionId, 3);
    expect((await ours()).map((e) => e.id)).toEqual([back.id]);
    expect(receiver.accepted('booking.removed_externally', bookingId)).toHaveLength(1);

    const utc = (iso: string) => ({ dateTime: iso.replace(/\.000Z$/, ''), timeZone: 'UTC' });
    await h.microsoft.updateUserEvent(email, back.id, { start: utc(hour(d, 18)), end: utc(hour(d, 19)) });
    await eventually(async () => {
      const [e] = await ours();
      return e && Date.parse(`${e.start.dateTime.replace(/Z$/, '')}Z`) === Date.parse(hour(d, 15)) ? true : undefined;
    }, 'the Outlook event moved back');
    expect(await ours()).toHaveLength(1);
    expect(receiver.accepted('booking.moved_externally', bookingId)).toHaveLength(1);
  });
});
