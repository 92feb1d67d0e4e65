import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { confirmBody, connectedPair, settled, strip } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startHostileCalDavServer, type HostileBehaviour, type HostileCalDavServer } from '../support/hostile-caldav';
import { icsObject } from '../support/ics-objects';

let h: Harness;
let radicale: RadicaleServer;
let hostile: HostileCalDavServer;
const victim = { username: `victim${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
let victimCalendar: string;

/** The day every event here is on: inside the busy window (a day back to 60 ahead). */
const day = new Date(Date.now() + 3 * 86_400_000);
const ymd = day.toISOString().slice(0, 10).replace(/-/g, '');
/** `hh:00` that day in Europe/London, as an instant (the real zone: GMT or BST as it falls). */
function londonHour(hour: number): string {
  const utcGuess = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour);
  const shown = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', hourCycle: 'h23' }).format(utcGuess));
  return new Date(utcGuess - (shown - hour) * 3_600_000).toISOString();
}

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [victim] });
  victimCalendar = await createCalendar(radicale.url, victim.username, victim.password, { slug: 'personal', displayName: 'Personal' });
  hostile = await startHostileCalDavServer(ymd);
  // Busy times are read every 2 s here (15 min by default): the hostile calendars are read again and again.
  h = await startHarness({ BUSY_POLL_INTERVAL: '2s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await hostile?.close();
  await radicale?.stop();
});

interface BusyJson {
  busy: Array<{ start: string; end: string }>;
  calendars: Array<{ connectionId: string; syncedAt: string | null; lastError: string | null }>;
}

async function busyOf(userId: string): Promise<BusyJson> {
  const from = new Date(day.getTime() - 86_400_000).toISOString();
  const to = new Date(day.getTime() + 86_400_000).toISOString();
  const res = await h.api<BusyJson>('GET', `/v1/users/${userId}/busy?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** A victim's event at `hour` London time, written with a TZID and no VTIMEZONE (as many clients write them). */
async function putVictimEvent(name: string, hour: number): Promise<void> {
  const hh = String(hour).padStart(2, '0');
  const end = String(hour + 1).padStart(2, '0');
  const data = icsObject(name, [
    `DTSTART;TZID=Europe/London:${ymd}T${hh}0000`,
    `DTEND;TZID=Europe/London:${ymd}T${end}0000`,
    'SUMMARY:Dentist',
  ]);
  expect(data).not.toContain('VTIMEZONE');
  const res = await fetch(`${victimCalendar}${name}.ics`, {
    method: 'PUT',
    headers: { authorization: basicAuth(victim.username, victim.password), 'content-type': 'text/calendar; charset=utf-8' },
    body: data,
  });
  expect(res.status).toBe(201);
}

function busyBecomes(userId: string, expected: Array<{ start: string; end: string }>): Promise<BusyJson> {
  return eventually(
    async () => {
      const b = await busyOf(userId);
      return b.calendars.every((c) => c.syncedAt !== null) && JSON.stringify(b.busy) === JSON.stringify(expected) ? b : undefined;
    },
    `busy times of ${userId} to be ${JSON.stringify(expected)}`,
  );
}

async function connectCalDav(userId: string, serverUrl: string, account = { username: 'mallory', password: 'anything' }): Promise<string> {
  const res = await h.api<{ id: string }>('POST', `/v1/users/${userId}/connections`, { provider: 'caldav', serverUrl, ...account });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** How long a booking between two Google users takes to be in both calendars. */
async function timedBooking(): Promise<number> {
  const { tutor, client } = await connectedPair(h);
  const bookingId = h.id('bk');
  const started = Date.now();
  expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
  await settled(h, bookingId, (v) => v.calendars.length === 2 && v.calendars.every((c) => c.state === 'synced'));
  return Date.now() - started;
}

describe('a hostile CalDAV server', () => {
  it('leaves the worker responsive, its account in error, and other users busy times unchanged', async () => {
    // Before: how long a booking takes here, and the victim's busy time from an honest server.
    await timedBooking(); // warm-up
    const usual = await timedBooking();
    const victimId = h.id('victim');
    await putVictimEvent('dentist', 10);
    await connectCalDav(victimId, radicale.url, victim);
    const ten = { start: londonHour(10), end: londonHour(11) };
    await busyBecomes(victimId, [ten]);

    // A server whose object redefines Europe/London as +05:00: its own event reads that way…
    const poisonedId = h.id('poisoned');
    await connectCalDav(poisonedId, hostile.urlFor('poisoned'));
    const poisoned = await eventually(async () => {
      const b = await busyOf(poisonedId);
      return b.calendars[0]?.syncedAt ? b : undefined;
    }, 'the poisoned calendar read');
    expect(poisoned.busy).toEqual([
      { start: `${day.toISOString().slice(0, 10)}T05:00:00.000Z`, end: `${day.toISOString().slice(0, 10)}T06:00:00.000Z` },
    ]);

    // …and the servers that would exhaust the worker start being read, every poll.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const before = { ...hostile.reports };
    const accounts: Record<Exclude<HostileBehaviour, 'poisoned'>, string> = { secondly: h.id('secondly'), huge: h.id('huge') };
    await connectCalDav(accounts.secondly, hostile.urlFor('secondly'));
    await connectCalDav(accounts.huge, hostile.urlFor('huge'));

    // Meanwhile other users' bookings sync in their usual time…
    const during = [await timedBooking(), await timedBooking(), await timedBooking()];
    // …the hostile calendars are read again and again, and each read ends with a clear error…
    await eventually(
      () => (hostile.reports.secondly - before.secondly >= 3 && hostile.reports.huge - before.huge >= 3 ? true : undefined),
      'the hostile calendars to be read repeatedly',
    );
    loop.disable();
    const maxStallMs = loop.max / 1e6;
    console.log(`booking: usual ${usual} ms, during ${during.join(', ')} ms; longest event-loop stall ${maxStallMs.toFixed(0)} ms`);
    for (const ms of during) expect(ms).toBeLessThan(Math.max(3 * usual, usual + 5_000));
    expect(maxStallMs).toBeLessThan(1_000);

    const secondly = await busyOf(accounts.secondly);
    expect(secondly.busy).toEqual([]);
    expect(secondly.calendars[0]).toMatchObject({
      syncedAt: null,
      lastError: expect.stringMatching(/beyond this service's limits: an event repeats SECONDLY/),
    });
    const huge = await busyOf(accounts.huge);
    expect(huge.calendars[0]).toMatchObject({
      syncedAt: null,
      lastError: expect.stringMatching(/beyond this service's limits: a response was larger than 10 MB/),
    });
    // The 200 MB answers were abandoned early, never read whole.
    expect(hostile.hugeBytesSent.length).toBeGreaterThanOrEqual(3);
    for (const sent of hostile.hugeBytesSent) expect(sent).toBeLessThan(50 * 1024 * 1024);

    // The accounts are in error, with the reason, until a read works again.
    const connectionOf = async (userId: string) =>
      (await h.api<{ connections: Array<{ status: string; lastError: string | null }> }>('GET', `/v1/users/${userId}/connections`)).body
        .connections[0];
    expect(await connectionOf(accounts.secondly)).toMatchObject({ status: 'error', lastError: expect.stringMatching(/repeats SECONDLY/) });
    expect(await connectionOf(accounts.huge)).toMatchObject({ status: 'error', lastError: expect.stringMatching(/larger than 10 MB/) });
    hostile.tame('secondly');
    await eventually(
      async () => ((await connectionOf(accounts.secondly))?.status === 'active' ? true : undefined),
      'the tamed account to be active again',
    );
    expect(await connectionOf(accounts.secondly)).toMatchObject({ lastError: null });
    expect((await busyOf(accounts.secondly)).busy).toEqual([
      { start: `${day.toISOString().slice(0, 10)}T10:00:00.000Z`, end: `${day.toISOString().slice(0, 10)}T11:00:00.000Z` },
    ]);

    // …and the victim's busy time is unchanged, old and newly read alike (London, not +05:00).
    await putVictimEvent('lunch', 13);
    const victimAfter = await busyBecomes(victimId, [ten, { start: londonHour(13), end: londonHour(14) }]);
    expect(victimAfter.calendars[0]?.lastError).toBeNull();
    expect(await connectionOf(victimId)).toMatchObject({ status: 'active', lastError: null });
  });
});
