import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../../tools/support/radicale';
import { objectUrl } from '../../src/providers/caldav';
import {
  ProviderError,
  type AccessContext,
  type BusyWindow,
  type CalendarChanges,
  type CalendarItemChange,
  type EventKey,
  type EventSpec,
} from '../../src/providers/types';
import { caldavFixture } from './caldav.fixture';
import type { ProviderUnderTest } from './fixture';

/**
 * Change reads (sync-collection, calendar-multiget, calendar-query) of the CalDAV adapter against
 * a real Radicale, started as the conformance suite does. Each case uses a week of its own, far
 * ahead, so other cases' events stay out of its window; cases run one after another, so an
 * incremental read sees exactly the changes its case made.
 */

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

const utc = (t: string) => t.replace(/[-:]/g, '').replace(/\.\d+/, '');

function key(): EventKey {
  return { bookingId: `chg-${randomBytes(5).toString('hex')}`, connectionId: randomBytes(8).toString('hex') };
}

function spec(k: EventKey, start: string, end: string): EventSpec {
  return { key: k, title: 'Lesson with Ada', description: 'Tutor: Ada', start, end, timeZone: 'Europe/London', reminders: [] };
}

function week(from: string): BusyWindow {
  const start = new Date(from);
  return { from: start, to: new Date(start.getTime() + 7 * 24 * 3_600_000) };
}

const byId = (changes: CalendarChanges) => new Map(changes.items.map((i) => [i.itemId, i]));
const ids = (changes: CalendarChanges) => changes.items.map((i) => i.itemId).sort();

describe('caldav (Radicale) change reads', () => {
  let p: ProviderUnderTest;
  let ctx: AccessContext;
  let auth: string;

  /** The user's own calendar app: writes `<name>.ics` in the collection (through the same proxy as the adapter). */
  const user = {
    url: (name: string) => new URL(`${name}.ics`, ctx.calendarId.endsWith('/') ? ctx.calendarId : `${ctx.calendarId}/`).toString(),
    async put(name: string, vevent: string[], extra: string[] = []): Promise<string> {
      const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//changes test//user//EN', ...extra, ...vevent, 'END:VCALENDAR', ''].join(
        '\r\n',
      );
      const res = await fetch(user.url(name), {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'text/calendar; charset=utf-8' },
        body,
      });
      if (!res.ok) throw new Error(`PUT ${name} answered ${res.status}`);
      return user.url(name);
    },
    /** A single event in UTC; `free` = TRANSP:TRANSPARENT. */
    event(name: string, start: string, end: string, opts: { free?: boolean; cancelled?: boolean } = {}): Promise<string> {
      return user.put(name, [
        'BEGIN:VEVENT',
        `UID:${name}`,
        'DTSTAMP:20260101T000000Z',
        `DTSTART:${utc(start)}`,
        `DTEND:${utc(end)}`,
        `SUMMARY:${name}`,
        ...(opts.free ? ['TRANSP:TRANSPARENT'] : []),
        ...(opts.cancelled ? ['STATUS:CANCELLED'] : []),
        'END:VEVENT',
      ]);
    },
    async remove(name: string): Promise<void> {
      const res = await fetch(user.url(name), { method: 'DELETE', headers: { authorization: auth } });
      if (!res.ok) throw new Error(`DELETE ${name} answered ${res.status}`);
    },
  };

  beforeAll(async () => {
    p = await caldavFixture.start();
    ctx = p.ctx;
    if (ctx.credentials.kind !== 'basic') throw new Error('the CalDAV fixture has basic credentials');
    auth = basicAuth(ctx.credentials.username, ctx.credentials.password);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('full read: busy user events, free ones and ours in the window (ours keyed by its externalEventId), and a cursor', async () => {
    const window = week('2034-02-06T00:00:00Z');
    const busyUrl = await user.event(`busy-${randomBytes(4).toString('hex')}`, '2034-02-07T09:00:00Z', '2034-02-07T10:00:00Z');
    const freeUrl = await user.event(`free-${randomBytes(4).toString('hex')}`, '2034-02-07T12:00:00Z', '2034-02-07T13:00:00Z', {
      free: true,
    });
    await user.event(`later-${randomBytes(4).toString('hex')}`, '2034-03-07T09:00:00Z', '2034-03-07T10:00:00Z');
    const k = key();
    const ours = await p.provider.upsertEvent(ctx, spec(k, '2034-02-08T15:00:00Z', '2034-02-08T16:00:00Z'), {});

    const full = await p.provider.readChanges(ctx, window);
    expect(full.mode).toBe('full');
    expect(full.cursorExpired).toBe(false);
    expect(full.cursor).toMatch(/^http:\/\/radicale\.org\/ns\/sync\/[0-9a-f]+$/);
    expect(ids(full)).toEqual([busyUrl, freeUrl, ours.externalEventId].sort());
    const items = byId(full);
    expect(items.get(busyUrl)).toEqual({
      itemId: busyUrl,
      removed: false,
      ours: false,
      busy: [{ start: '2034-02-07T09:00:00.000Z', end: '2034-02-07T10:00:00.000Z' }],
      start: '2034-02-07T09:00:00.000Z',
      end: '2034-02-07T10:00:00.000Z',
    });
    expect(items.get(freeUrl)).toMatchObject({ removed: false, ours: false, busy: [] });
    // Ours: the id the upsert returned (= objectUrl), recognised by its tag, no busy time of its own.
    expect(ours.externalEventId).toBe(objectUrl(ctx.calendarId, k));
    expect(items.get(ours.externalEventId)).toEqual({
      itemId: ours.externalEventId,
      removed: false,
      ours: true,
      busy: [],
      start: '2034-02-08T15:00:00.000Z',
      end: '2034-02-08T16:00:00.000Z',
    });
  });

  it('incremental read: exactly what the user added, changed and deleted since the cursor, then nothing', async () => {
    const window = week('2034-04-03T00:00:00Z');
    const tag = randomBytes(4).toString('hex');
    const changedUrl = await user.event(`changed-${tag}`, '2034-04-04T09:00:00Z', '2034-04-04T10:00:00Z');
    const deletedUrl = await user.event(`deleted-${tag}`, '2034-04-05T09:00:00Z', '2034-04-05T10:00:00Z');
    const keptUrl = await user.event(`kept-${tag}`, '2034-04-06T09:00:00Z', '2034-04-06T10:00:00Z');
    const first = await p.provider.readChanges(ctx, window);
    expect(ids(first)).toEqual([changedUrl, deletedUrl, keptUrl].sort());

    const quiet = await p.provider.readChanges(ctx, window, first.cursor);
    expect(quiet).toMatchObject({ mode: 'incremental', cursorExpired: false, items: [] });
    expect(typeof quiet.cursor).toBe('string');

    const addedUrl = await user.event(`added-${tag}`, '2034-04-07T14:00:00Z', '2034-04-07T15:30:00Z');
    await user.event(`changed-${tag}`, '2034-04-04T11:00:00Z', '2034-04-04T12:00:00Z');
    await user.remove(`deleted-${tag}`);
    // Changed outside the window: still reported, so old busy time is forgotten, but with none.
    const outsideUrl = await user.event(`outside-${tag}`, '2034-05-01T09:00:00Z', '2034-05-01T10:00:00Z');

    const changes = await p.provider.readChanges(ctx, window, quiet.cursor);
    expect(changes.mode).toBe('incremental');
    expect(changes.cursorExpired).toBe(false);
    expect(changes.cursor).toMatch(/^http:\/\/radicale\.org\/ns\/sync\//);
    expect(changes.cursor).not.toBe(quiet.cursor);
    expect(ids(changes)).toEqual([addedUrl, changedUrl, deletedUrl, outsideUrl].sort());
    const items = byId(changes);
    expect(items.get(addedUrl)).toEqual({
      itemId: addedUrl,
      removed: false,
      ours: false,
      busy: [{ start: '2034-04-07T14:00:00.000Z', end: '2034-04-07T15:30:00.000Z' }],
      start: '2034-04-07T14:00:00.000Z',
      end: '2034-04-07T15:30:00.000Z',
    });
    expect(items.get(changedUrl)).toMatchObject({
      removed: false,
      busy: [{ start: '2034-04-04T11:00:00.000Z', end: '2034-04-04T12:00:00.000Z' }],
    });
    expect(items.get(deletedUrl)).toEqual({ itemId: deletedUrl, removed: true, ours: false, busy: [] });
    expect(items.get(outsideUrl)).toEqual({
      itemId: outsideUrl,
      removed: false,
      ours: false,
      busy: [],
      start: '2034-05-01T09:00:00.000Z',
      end: '2034-05-01T10:00:00.000Z',
    });

    const after = await p.provider.readChanges(ctx, window, changes.cursor);
    expect(after).toMatchObject({ mode: 'incremental', cursorExpired: false, items: [] });
  });

  it('incremental read: our event moved by upsertEvent comes with its new times; one deleted by deleteEvent as removed under its old id', async () => {
    const window = week('2034-06-05T00:00:00Z');
    const moved = key();
    const deleted = key();
    const a = await p.provider.upsertEvent(ctx, spec(moved, '2034-06-06T09:00:00Z', '2034-06-06T10:00:00Z'), {});
    const b = await p.provider.upsertEvent(ctx, spec(deleted, '2034-06-07T09:00:00Z', '2034-06-07T10:00:00Z'), {});
    const first = await p.provider.readChanges(ctx, window);
    expect(byId(first).get(a.externalEventId)).toMatchObject({ ours: true, start: '2034-06-06T09:00:00.000Z' });

    await p.provider.upsertEvent(ctx, spec(moved, '2034-06-08T13:15:00Z', '2034-06-08T14:00:00Z'), { externalEventId: a.externalEventId });
    expect((await p.provider.deleteEvent(ctx, deleted, { externalEventId: b.externalEventId })).action).toBe('deleted');

    const changes = await p.provider.readChanges(ctx, window, first.cursor);
    expect(changes.mode).toBe('incremental');
    expect(ids(changes)).toEqual([a.externalEventId, b.externalEventId].sort());
    expect(byId(changes).get(a.externalEventId)).toEqual({
      itemId: a.externalEventId,
      removed: false,
      ours: true,
      busy: [],
      start: '2034-06-08T13:15:00.000Z',
      end: '2034-06-08T14:00:00.000Z',
    });
    expect(byId(changes).get(b.externalEventId)).toEqual({ itemId: b.externalEventId, removed: true, ours: false, busy: [] });
  });

  it('a cancelled event counts as removed', async () => {
    const window = week('2034-07-03T00:00:00Z');
    const name = `cancel-${randomBytes(4).toString('hex')}`;
    const url = await user.event(name, '2034-07-04T09:00:00Z', '2034-07-04T10:00:00Z');
    const first = await p.provider.readChanges(ctx, window);
    expect(byId(first).get(url)).toMatchObject({ removed: false, busy: [{ start: '2034-07-04T09:00:00.000Z' }] });
    await user.event(name, '2034-07-04T09:00:00Z', '2034-07-04T10:00:00Z', { cancelled: true });
    const changes = await p.provider.readChanges(ctx, window, first.cursor);
    expect(changes.items).toEqual([{ itemId: url, removed: true, ours: false, busy: [] }]);
  });

  it('a cursor the server does not know (stale suffix, foreign token) gives a full read with cursorExpired and a fresh cursor', async () => {
    const window = week('2034-08-07T00:00:00Z');
    const url = await user.event(`stale-${randomBytes(4).toString('hex')}`, '2034-08-08T09:00:00Z', '2034-08-08T10:00:00Z');
    const first = await p.provider.readChanges(ctx, window);
    const token = first.cursor!;
    const wrongSuffix = `${token.slice(0, -4)}${token.endsWith('beef') ? 'dead' : 'beef'}`;
    for (const bogus of [wrongSuffix, 'http://radicale.invalid/sync/1']) {
      const read = await p.provider.readChanges(ctx, window, bogus);
      expect(read.mode).toBe('full');
      expect(read.cursorExpired).toBe(true);
      expect(ids(read)).toEqual([url]);
      expect(read.items[0]).toMatchObject({
        removed: false,
        busy: [{ start: '2034-08-08T09:00:00.000Z', end: '2034-08-08T10:00:00.000Z' }],
      });
      expect(read.cursor).toMatch(/^http:\/\/radicale\.org\/ns\/sync\//);
      // The fresh cursor works.
      expect(await p.provider.readChanges(ctx, window, read.cursor)).toMatchObject({
        mode: 'incremental',
        cursorExpired: false,
        items: [],
      });
    }
  });

  it('expands a recurring event (an overridden instance included) in full and incremental reads; it has no single start/end', async () => {
    // Weekly at 09:00 London from Tuesday 2034-10-17: BST (08:00Z) until 29 October, then GMT (09:00Z).
    // The second occurrence is moved to 11:00 London (10:00Z).
    const window = week('2034-10-16T00:00:00Z');
    window.to = new Date('2034-11-04T00:00:00Z');
    const first = await p.provider.readChanges(ctx, window);
    const name = `weekly-${randomBytes(4).toString('hex')}`;
    const url = await user.put(
      name,
      [
        'BEGIN:VEVENT',
        `UID:${name}`,
        'DTSTAMP:20260101T000000Z',
        'DTSTART;TZID=Europe/London:20341017T090000',
        'DTEND;TZID=Europe/London:20341017T100000',
        'RRULE:FREQ=WEEKLY;COUNT=3',
        'SUMMARY:Weekly class',
        'END:VEVENT',
        'BEGIN:VEVENT',
        `UID:${name}`,
        'DTSTAMP:20260101T000000Z',
        'RECURRENCE-ID;TZID=Europe/London:20341024T090000',
        'DTSTART;TZID=Europe/London:20341024T110000',
        'DTEND;TZID=Europe/London:20341024T120000',
        'SUMMARY:Weekly class (moved)',
        'END:VEVENT',
      ],
      LONDON_VTIMEZONE,
    );
    const expected: CalendarItemChange = {
      itemId: url,
      removed: false,
      ours: false,
      busy: [
        { start: '2034-10-17T08:00:00.000Z', end: '2034-10-17T09:00:00.000Z' },
        { start: '2034-10-24T10:00:00.000Z', end: '2034-10-24T11:00:00.000Z' },
        { start: '2034-10-31T09:00:00.000Z', end: '2034-10-31T10:00:00.000Z' },
      ],
    };
    const changes = await p.provider.readChanges(ctx, window, first.cursor);
    expect(changes.mode).toBe('incremental');
    expect(changes.items).toEqual([expected]);
    const full = await p.provider.readChanges(ctx, window);
    expect(full.items).toEqual([expected]);
  });

  it('every request goes through the account fetch: a collection on another host is refused before anything is sent', async () => {
    const foreign: AccessContext = { ...ctx, calendarId: ctx.calendarId.replace('127.0.0.1', '127.0.0.2') };
    expect(foreign.calendarId).not.toBe(ctx.calendarId);
    const err = await p.provider.readChanges(foreign, week('2034-02-06T00:00:00Z')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('rejected');
    expect((err as ProviderError).message).not.toContain((ctx.credentials as { password: string }).password);
  });

  describe('through an intercepting proxy', () => {
    let proxy: Interceptor;
    beforeAll(async () => {
      proxy = await startInterceptor(ctx);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('fetches changed members with one calendar-multiget (deleted ones not asked for); one deleted before the multiget is removed', async () => {
      const window = week('2035-01-08T00:00:00Z');
      const tag = randomBytes(4).toString('hex');
      const changedUrl = await user.event(`mg-changed-${tag}`, '2035-01-09T09:00:00Z', '2035-01-09T10:00:00Z');
      const deletedUrl = await user.event(`mg-deleted-${tag}`, '2035-01-10T09:00:00Z', '2035-01-10T10:00:00Z');
      const vanishedUrl = await user.event(`mg-vanished-${tag}`, '2035-01-11T09:00:00Z', '2035-01-11T10:00:00Z');
      const first = await p.provider.readChanges(proxy.ctx, window);
      expect(first.items).toHaveLength(3);

      await user.event(`mg-changed-${tag}`, '2035-01-09T15:00:00Z', '2035-01-09T16:00:00Z');
      await user.remove(`mg-deleted-${tag}`);
      await user.event(`mg-vanished-${tag}`, '2035-01-11T15:00:00Z', '2035-01-11T16:00:00Z');
      // The user deletes it after the server listed it as changed, before we fetch it.
      proxy.beforeMultiget = () => user.remove(`mg-vanished-${tag}`);
      proxy.requests.length = 0;

      const changes = await p.provider.readChanges(proxy.ctx, window, first.cursor);
      expect(proxy.requests.map((r) => r.kind)).toEqual(['sync-collection', 'calendar-multiget']);
      const multiget = proxy.requests[1]!.body;
      expect(multiget).toContain(`mg-changed-${tag}.ics`);
      expect(multiget).toContain(`mg-vanished-${tag}.ics`);
      expect(multiget).not.toContain(`mg-deleted-${tag}.ics`);

      const onProxy = (url: string) => url.replace(new URL(ctx.calendarId).origin, new URL(proxy.ctx.calendarId).origin);
      expect(ids(changes)).toEqual([changedUrl, deletedUrl, vanishedUrl].map(onProxy).sort());
      const items = byId(changes);
      expect(items.get(onProxy(changedUrl))).toMatchObject({
        removed: false,
        busy: [{ start: '2035-01-09T15:00:00.000Z', end: '2035-01-09T16:00:00.000Z' }],
      });
      expect(items.get(onProxy(deletedUrl))).toEqual({ itemId: onProxy(deletedUrl), removed: true, ours: false, busy: [] });
      expect(items.get(onProxy(vanishedUrl))).toEqual({ itemId: onProxy(vanishedUrl), removed: true, ours: false, busy: [] });
    });

    it('a server without sync-collection: every read is full, with no cursor; a cursor from before is expired', async () => {
      const window = week('2034-12-04T00:00:00Z');
      const name = `nosync-${randomBytes(4).toString('hex')}`;
      await user.event(name, '2034-12-05T09:00:00Z', '2034-12-05T10:00:00Z');
      const withSync = await p.provider.readChanges(ctx, window);
      expect(typeof withSync.cursor).toBe('string');

      proxy.refuseSync = true;
      proxy.requests.length = 0;
      try {
        const read = await p.provider.readChanges(proxy.ctx, window);
        expect(read.mode).toBe('full');
        expect(read.cursorExpired).toBe(false);
        expect(read.cursor).toBeUndefined();
        expect(read.items.map((i) => i.busy)).toEqual([[{ start: '2034-12-05T09:00:00.000Z', end: '2034-12-05T10:00:00.000Z' }]]);
        // Same object, same path, whichever host it was read through.
        expect(new URL(read.items[0]!.itemId).pathname).toBe(new URL(withSync.items[0]!.itemId).pathname);

        const again = await p.provider.readChanges(proxy.ctx, window, withSync.cursor);
        expect(again).toMatchObject({ mode: 'full', cursorExpired: true, cursor: undefined });
        expect(again.items).toHaveLength(1);
        // sync-collection is asked (and refused) before each calendar-query, with Depth 0 (RFC 6578 §3.2).
        expect(proxy.requests.map((r) => r.kind)).toEqual([
          'sync-collection',
          'calendar-query',
          'sync-collection',
          'sync-collection',
          'calendar-query',
        ]);
        expect(proxy.requests.filter((r) => r.kind === 'sync-collection').map((r) => r.depth)).toEqual(['0', '0', '0']);
      } finally {
        proxy.refuseSync = false;
      }
    });
  });
});

interface Interceptor {
  /** The fixture's account and calendar, reached through this proxy. */
  ctx: AccessContext;
  requests: Array<{ method: string; kind: string; depth: string | undefined; body: string }>;
  /** Answer 501 to sync-collection REPORTs, as a server without RFC 6578 would. */
  refuseSync: boolean;
  /** Runs (once) before the next calendar-multiget is passed on. */
  beforeMultiget: (() => Promise<void>) | undefined;
  close(): Promise<void>;
}

/** A proxy in front of the fixture's calendar that records REPORT kinds and can refuse sync-collection. */
async function startInterceptor(ctx: AccessContext): Promise<Interceptor> {
  const upstream = new URL(ctx.calendarId);
  const state: Omit<Interceptor, 'ctx' | 'close'> = { requests: [], refuseSync: false, beforeMultiget: undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const relay = async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const kind = /sync-collection|calendar-multiget|calendar-query/.exec(text)?.[0] ?? req.method ?? '';
      state.requests.push({ method: req.method ?? '', kind, depth: req.headers.depth as string | undefined, body: text });
      if (kind === 'sync-collection' && state.refuseSync) {
        res.writeHead(501, { 'content-type': 'text/plain' }).end('not implemented');
        return;
      }
      if (kind === 'calendar-multiget' && state.beforeMultiget) {
        const action = state.beforeMultiget;
        state.beforeMultiget = undefined;
        await action();
      }
      const forward = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.socket?.destroy());
      forward.end(body);
    };
    req.on('end', () => void relay());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (ctx.credentials.kind !== 'basic') throw new Error('basic credentials expected');
  return Object.assign(state, {
    ctx: { credentials: { ...ctx.credentials, serverUrl: base }, calendarId: ctx.calendarId.replace(upstream.origin, base) },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
