import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

type ICAL = typeof ICALModule;

let h: Harness;
let ICAL: ICAL;

beforeAll(async () => {
  // ical.js is an ES module; this project is CommonJS.
  ICAL = (await import('ical.js')).default;
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface FeedLinkBody {
  url: string;
  webcalUrl: string;
  createdAt: string;
}

interface FeedEvent {
  uid: string;
  sequence: number;
  status: string | null;
  summary: string;
  description: string;
  start: number;
  end: number;
  alarms: string[];
}

/** The feed as a calendar app reads it, parsed with ical.js (an independent parser). */
function parseFeed(ics: string): { calendar: ICALModule.Component; events: FeedEvent[] } {
  const calendar = ICAL.Component.fromString(ics);
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      sequence: e.sequence,
      status: (v.getFirstPropertyValue('status') as string | null) ?? null,
      summary: e.summary,
      description: e.description,
      start: e.startDate.toJSDate().getTime(),
      end: e.endDate.toJSDate().getTime(),
      alarms: v.getAllSubcomponents('valarm').map((a) => String(a.getFirstPropertyValue('trigger'))),
    };
  });
  return { calendar, events };
}

async function newLink(userId: string): Promise<FeedLinkBody> {
  const res = await h.api<FeedLinkBody>('POST', `/v1/users/${userId}/feed-links`);
  expect(res.status).toBe(201);
  return res.body;
}

function participants(): { tutor: TestParticipant; client: TestParticipant } {
  return {
    tutor: { userId: h.id('tutor'), role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' },
    client: { userId: h.id('client'), role: 'client', name: 'Bob Builder', email: 'bob@example.com' },
  };
}

/** Polls the feed until `accept` finds what it waits for in it. */
function feedUntil<T>(url: string, accept: (events: FeedEvent[]) => T | undefined, what: string): Promise<T> {
  return eventually(async () => {
    const res = await fetch(url);
    if (res.status !== 200) return undefined;
    return accept(parseFeed(await res.text()).events);
  }, what);
}

describe('calendar feed per user', () => {
  it("lists the user's bookings with a stable UID, a rising SEQUENCE, moved times, cancellations, reminders and caching", async () => {
    const { tutor, client } = participants();
    const stranger: TestParticipant = { userId: h.id('stranger'), role: 'client', name: 'Eve', email: 'eve@example.com' };
    const link = await newLink(client.userId);
    expect(link.url).toMatch(new RegExp(`^${h.config.publicBaseUrl}/feeds/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(link.webcalUrl).toBe(link.url.replace(/^http:/, 'webcal:'));
    expect(Number.isNaN(Date.parse(link.createdAt))).toBe(false);
    const token = /\/feeds\/([^/]+)\.ics$/.exec(link.url)![1]!;

    const bookingId = h.id('bk');
    const otherId = h.id('bk-other');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client], { version: 1 }))).status).toBe(202);
    expect((await h.api('POST', `/v1/bookings/${otherId}/confirm`, confirmBody([tutor, stranger], { version: 1 }))).status).toBe(202);
    const uid = `${bookingId}@127.0.0.1`;

    const first = await feedUntil(link.url, (events) => events.find((e) => e.uid === uid), 'the booking in the feed');
    expect(first.start).toBe(Date.parse('2030-05-01T15:00:00Z'));
    expect(first.end).toBe(Date.parse('2030-05-01T16:00:00Z'));
    expect(first.summary).toBe('Algebra lesson with Ada Lovelace');
    expect(first.description).toContain('Tutor: Ada Lovelace');
    expect(first.description).toContain('Join: https://meet.example.com/algebra');
    expect(first.status).toBe('CONFIRMED');
    expect(first.alarms.sort()).toEqual(['-P1D', '-PT15M', '-PT1H'].sort());

    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = await res.text();
    expect(body).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT15M');
    expect(body).toContain('X-PUBLISHED-TTL:PT15M');
    const { events } = parseFeed(body);
    expect(events.map((e) => e.uid)).toEqual([uid]);
    expect(body).not.toContain(otherId);

    const unchanged = await fetch(link.url, { headers: { 'If-None-Match': etag } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');

    const moved = await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
      version: 2,
      start: '2030-05-02T13:30:00Z',
      end: '2030-05-02T14:30:00Z',
      timeZone: 'America/New_York',
    });
    expect(moved.status).toBe(202);
    const second = await feedUntil(
      link.url,
      (list) => list.find((e) => e.uid === uid && e.start === Date.parse('2030-05-02T13:30:00Z')),
      'the moved booking in the feed',
    );
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(second.end).toBe(Date.parse('2030-05-02T14:30:00Z'));
    const changed = await fetch(link.url, { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);

    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { version: 3, reason: 'student ill' })).status).toBe(202);
    const third = await feedUntil(link.url, (list) => list.find((e) => e.uid === uid && e.status === 'CANCELLED'), 'the cancellation');
    expect(third.sequence).toBeGreaterThan(second.sequence);

    // The token is the credential: it is in no log line, access log included.
    await eventually(() => h.logs.some((line) => line.includes('/feeds/[redacted]')) || undefined, 'the feed requests logged');
    expect(h.logs.filter((line) => line.includes(token))).toEqual([]);
  });

  it('rotating the link makes the old URL 404; revoking makes the current one 404', async () => {
    const userId = h.id('client');
    const old = await newLink(userId);
    expect((await fetch(old.url)).status).toBe(200);

    const rotated = await newLink(userId);
    expect(rotated.url).not.toBe(old.url);
    const gone = await fetch(old.url);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toBe('not found');
    expect((await fetch(rotated.url)).status).toBe(200);

    const revoked = await h.api('DELETE', `/v1/users/${userId}/feed-links`);
    expect(revoked.status).toBe(204);
    expect((await fetch(rotated.url)).status).toBe(404);
  });

  it('answers malformed and unknown tokens with the same bare 404, and needs the API key for links', async () => {
    const base = h.config.publicBaseUrl;
    for (const path of [`/feeds/${'A'.repeat(43)}.ics`, `/feeds/short.ics`, `/feeds/${'x'.repeat(5000)}.ics`]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('not found');
    }
    expect((await h.api('POST', `/v1/users/${h.id('u')}/feed-links`, undefined, { key: null })).status).toBe(401);
  });
});
