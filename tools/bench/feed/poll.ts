import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };

/** One subscribed feed: its path and how many events a valid copy holds. */
export interface Subscription {
  path: string;
  expectedEvents: number;
  /** The ETag of the last full copy fetched, sent back as If-None-Match. */
  etag?: string;
}

export interface PollTally {
  status200: number;
  status304: number;
  /** Anything but a valid feed: another status, a network error, a bad body or a missing ETag. */
  errors: number;
  /** Milliseconds from sending the request to the end of its body, for every request. */
  latencies: number[];
}

/**
 * A feed is fetched in full every fourth round (a new device, a cleared cache), the other rounds
 * ask If-None-Match; staggered by feed, so that a quarter of any stretch of polls are full fetches
 * however many feeds there are and however short the polling.
 */
const FULL_ROUND_EVERY = 4;

/**
 * Polls the feeds at `baseUrl` with `concurrency` requests in flight until `seconds` have
 * passed (or `rounds` rounds are done), round after round over the subscriptions, as subscribed
 * calendar apps do, and checks every answer: a 200 must be a feed with the expected events and an
 * ETag, a 304 must name the ETag asked about. A subscription without an ETag yet is fetched in full.
 */
export async function pollFeeds(
  baseUrl: string,
  subscriptions: Subscription[],
  o: { seconds: number; rounds?: number; concurrency: number; log: (line: string) => void },
): Promise<PollTally & { elapsedMs: number }> {
  const ICAL = (await import('ical.js')).default;
  // Each distinct body is parsed once; the same ETag must bring the same bytes again.
  const validBodies = new Map<string, string>();
  const tally: PollTally = { status200: 0, status304: 0, errors: 0, latencies: [] };
  const fail = (why: string) => {
    tally.errors += 1;
    if (tally.errors <= 5) o.log(`feed: invalid answer: ${why}`);
  };

  const fetchOnce = async (s: Subscription, conditional: boolean) => {
    const sent = conditional ? s.etag : undefined;
    const started = performance.now();
    try {
      const res = await fetch(`${baseUrl}${s.path}`, {
        headers: sent === undefined ? {} : { 'if-none-match': sent },
        signal: AbortSignal.timeout(10_000),
      });
      const body = await res.text();
      tally.latencies.push(performance.now() - started);
      const etag = res.headers.get('etag');
      if (res.status === 304) {
        if (sent !== undefined && etag === sent) tally.status304 += 1;
        else fail(`304 for ETag ${etag} after If-None-Match ${sent}`);
      } else if (res.status !== 200 || etag === null) fail(`${res.status}, ETag ${etag}`);
      else if (validBodies.get(etag) === body || isFeed(ICAL, body, s.expectedEvents)) {
        validBodies.set(etag, body);
        s.etag = etag;
        tally.status200 += 1;
      } else fail(`200 whose body is not a feed of ${s.expectedEvents} events`);
    } catch (err) {
      tally.latencies.push(performance.now() - started);
      fail(err instanceof Error ? err.message : String(err));
    }
  };

  let next = 0;
  const startedAt = performance.now();
  const deadline = startedAt + o.seconds * 1000;
  const limit = o.rounds === undefined ? Infinity : o.rounds * subscriptions.length;
  const lane = async () => {
    while (performance.now() < deadline && next < limit) {
      const k = next++;
      const s = k % subscriptions.length;
      const round = Math.floor(k / subscriptions.length);
      await fetchOnce(subscriptions[s]!, (round + s + 1) % FULL_ROUND_EVERY !== 0);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  return { ...tally, elapsedMs: performance.now() - startedAt };
}

function isFeed(ICAL: typeof ICALModule, body: string, expectedEvents: number): boolean {
  try {
    const calendar = ICAL.Component.fromString(body);
    const events = calendar.getAllSubcomponents('vevent');
    return (
      calendar.name === 'vcalendar' && events.length === expectedEvents && events.every((e) => Boolean(e.getFirstPropertyValue('uid')))
    );
  } catch {
    return false;
  }
}
