import { afterEach, describe, expect, it, vi } from 'vitest';
import { toActivityFailure } from '../../src/activities/failures';
import { boundedResponse } from '../../src/providers/caldav/bounded-body';
import { busyOfObject } from '../../src/providers/caldav/busy-times';
import { readCalDavChanges, type DavContext } from '../../src/providers/caldav/change-reads';
import { accountFetch } from '../../src/providers/caldav/dav-fetch';
import { CalDavLimitError, DEFAULT_READ_LIMITS, LIMIT_EXCEEDED, ReadBudget, type ReadLimits } from '../../src/providers/caldav/limits';
import { icsObject, multistatus } from '../support/ics-objects';

const window = { from: new Date('2030-05-01T00:00:00Z'), to: new Date('2030-07-01T00:00:00Z') };
const limits = (overrides: Partial<ReadLimits>): ReadLimits => ({ ...DEFAULT_READ_LIMITS, ...overrides });
/** The (stubbed) global fetch as the CalDAV transport, looked up on each call. */
const stubbedFetch: typeof fetch = (input, init) => fetch(input, init);

const ICAL = async () => (await import('ical.js')).default;

/** A body of `chunks` × 64 KiB, produced only as it is read; `pulled` counts what was. */
function lazyBody(chunks: number) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled++ >= chunks) controller.close();
      else controller.enqueue(new Uint8Array(64 * 1024));
    },
  });
  return { stream, state };
}

const hourly = (uid: string) => icsObject(uid, ['DTSTART:20300501T000000Z', 'DTEND:20300501T001000Z', 'RRULE:FREQ=HOURLY']);

afterEach(() => vi.unstubAllGlobals());

describe('CalDAV response bodies', () => {
  it('stop being read past the limit, with a limit error', async () => {
    const { stream, state } = lazyBody(800); // 50 MiB
    const res = boundedResponse(new Response(stream, { status: 207 }), 1024 * 1024);
    await expect(res.text()).rejects.toBeInstanceOf(CalDavLimitError);
    expect(state.pulled).toBeLessThan(40);
  });

  it('are refused before reading when they declare a length over the limit', () => {
    const res = new Response('x'.repeat(2000), { status: 200, headers: { 'content-length': '2000' } });
    expect(() => boundedResponse(res, 1000)).toThrow(CalDavLimitError);
  });

  it("are limited on every request of an account's fetch (10 MB by default)", async () => {
    const { stream, state } = lazyBody(320); // 20 MiB
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(stream, { status: 207 })));
    const res = await accountFetch(
      { kind: 'basic', username: 'u', password: 'p', serverUrl: 'http://dav.test/' },
      stubbedFetch,
    )('http://dav.test/cal/');
    await expect(res.text()).rejects.toThrow(/larger than 10 MB/);
    expect(state.pulled).toBeLessThan(200);
  });
});

describe('CalDAV recurrence', () => {
  it('refuses rules repeating by the second or minute', async () => {
    for (const freq of ['SECONDLY', 'MINUTELY']) {
      const ics = icsObject(`dense-${freq}`, ['DTSTART:20300501T100000Z', 'DTEND:20300501T100001Z', `RRULE:FREQ=${freq};COUNT=3`]);
      await expect(busyOfObject(await ICAL(), ics, window)).rejects.toThrow(new RegExp(`repeats ${freq}`));
    }
    expect(await busyOfObject(await ICAL(), hourly('fine'), window)).toHaveLength(61 * 24);
  });

  it('caps the occurrences of one object, counted from its start', async () => {
    // Daily since 2025: about 1,950 occurrences before the window ends, 61 of them in it.
    const ics = icsObject('daily', ['DTSTART:20250101T100000Z', 'DTEND:20250101T110000Z', 'RRULE:FREQ=DAILY']);
    expect(await busyOfObject(await ICAL(), ics, window, new ReadBudget(limits({ maxOccurrencesPerObject: 2_500 })))).toHaveLength(61);
    await expect(busyOfObject(await ICAL(), ics, window, new ReadBudget(limits({ maxOccurrencesPerObject: 1_000 })))).rejects.toThrow(
      /more than 1000 occurrences/,
    );
  });

  it('expands under a time budget per read, and stops with a limit error when it is spent', async () => {
    let clock = 0;
    // Each look at the clock: one millisecond of work.
    const budget = new ReadBudget(limits({ expansionBudgetMs: 500, sliceMs: 1_000_000 }), () => clock++);
    await expect(busyOfObject(await ICAL(), hourly('slow'), window, budget)).rejects.toThrow(/took more than 500 ms/);
  });

  it('gives the event loop a turn during a long expansion', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const ics = icsObject('long', ['DTSTART:20290101T000000Z', 'DTEND:20290101T001000Z', 'RRULE:FREQ=HOURLY']);
      await busyOfObject(await ICAL(), ics, window, new ReadBudget(limits({ sliceMs: 2 })));
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(2);
  });
});

describe('a CalDAV read', () => {
  const collection = 'http://dav.test/cal/';
  const ctx: DavContext = {
    credentials: { kind: 'basic', username: 'u', password: 'p', serverUrl: 'http://dav.test/' },
    calendarId: collection,
    transport: stubbedFetch,
  };

  /** A server whose sync-collection and calendar-query answer with these objects. */
  function serve(objects: Array<{ name: string; data: string }>) {
    vi.stubGlobal('fetch', (_url: unknown, init: RequestInit) => {
      const body = typeof init.body === 'string' ? init.body : '';
      const members = body.includes('calendar-query') ? objects : objects.map((o) => ({ name: o.name }));
      return Promise.resolve(
        new Response(multistatus('/cal/', members, 'http://dav.test/sync/1'), {
          status: 207,
          headers: { 'content-type': 'application/xml; charset=utf-8' },
        }),
      );
    });
  }

  it('reads at most so many objects', async () => {
    serve(Array.from({ length: 30 }, (_, i) => ({ name: `e${i}.ics`, data: icsObject(`e${i}`, ['DTSTART:20300502T100000Z']) })));
    expect((await readCalDavChanges(ctx, window, undefined, limits({ maxObjects: 30 }))).items).toHaveLength(30);
    await expect(readCalDavChanges(ctx, window, undefined, limits({ maxObjects: 29 }))).rejects.toThrow(/more than 29 calendar objects/);
  });

  it('makes at most so many busy intervals, all objects together', async () => {
    serve([
      { name: 'a.ics', data: hourly('a') },
      { name: 'b.ics', data: hourly('b') },
    ]);
    const read = await readCalDavChanges(ctx, window, undefined, limits({ maxIntervals: 2 * 61 * 24 }));
    expect(read.items.flatMap((i) => i.busy)).toHaveLength(2 * 61 * 24);
    // Each object alone is within a limit of 2,000; the two together are not.
    await expect(readCalDavChanges(ctx, window, undefined, limits({ maxIntervals: 2_000 }))).rejects.toThrow(
      /more than 2000 busy intervals/,
    );
  });

  it("fails with a refusal that is not retried and says which limit, not a malformed object's silence", async () => {
    serve([{ name: 'dense.ics', data: icsObject('dense', ['DTSTART:20300501T100000Z', 'DTEND:20300501T100001Z', 'RRULE:FREQ=SECONDLY']) }]);
    const err: unknown = await readCalDavChanges(ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalDavLimitError);
    expect((err as CalDavLimitError).details.reason).toBe(LIMIT_EXCEEDED);
    const failure = toActivityFailure(err, 1);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/beyond this service's limits: an event repeats SECONDLY/);
  });
});
