import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';
import { latencyFigures, perSecond, round2, type LatencyFigures } from '../figures';
import { measureCpu } from '../process-stats';
import { confirmBody } from '../service/confirm-body';
import { serviceCpuGroups } from '../service/run';
import { waitForSavedBookings } from '../service/wait-for-bookings';
import { pollFeeds, type Subscription } from './poll';

/** Upcoming bookings in each subscribed user's feed. */
export const EVENTS_PER_FEED = 5;

export interface FeedFigures {
  /** Users with a feed link, each feed polled in turn. */
  users: number;
  eventsPerFeed: number;
  seconds: number;
  /** Every answer in that time, valid or not. */
  requests: number;
  requestsPerSecond: number;
  /** From sending the request to the end of the answer's body. */
  latencyMs: LatencyFigures;
  /** Full copies: first fetches, each checked to be a feed with every booking. */
  status200: number;
  /** Conditional fetches (If-None-Match) of an unchanged feed. */
  status304: number;
  /** Anything else: an error status, a network failure, a body that is not the feed. */
  errors: number;
  /** CPU seconds used while polling, by process group. */
  cpuSeconds: Record<string, number>;
  /** The API's and PostgreSQL's CPU per request: what a polling client costs the service. */
  serviceCpuMsPerRequest: number;
}

/**
 * `users` users without a connected calendar, each with EVENTS_PER_FEED upcoming bookings, get a
 * feed link; then their feeds are polled for `seconds` with `concurrency` requests in flight.
 */
export async function runFeed(
  env: BenchEnvironment,
  o: { users: number; seconds: number; concurrency: number; log: (line: string) => void },
): Promise<FeedFigures> {
  const prefix = `${env.runId}-feed-`;
  const bookings = o.users * EVENTS_PER_FEED;
  // Each user is the tutor of their bookings; the clients subscribe to nothing.
  const userOf = (i: number) => `${env.runId}-feedu${i % o.users}`;
  await forEachConcurrently(
    Array.from({ length: bookings }, (_, i) => i),
    o.concurrency,
    async (i) => {
      const answer = await env.api.operationUntilAnswered('confirmBooking', {
        params: { path: { bookingId: `${prefix}${i}` } },
        body: confirmBody(i, userOf(i), `${env.runId}-feedc${i}`),
      });
      if (answer.status !== 202) throw new Error(`feed setup: confirm ${prefix}${i} answered ${answer.status}`);
    },
  );
  await waitForSavedBookings(env, prefix, bookings, 'feed setup', o.log);

  const subscriptions: Subscription[] = [];
  await forEachConcurrently(
    Array.from({ length: o.users }, (_, i) => userOf(i)),
    o.concurrency,
    async (userId) => {
      const answer = await env.api.operationUntilAnswered('createFeedLink', { params: { path: { userId } } });
      if (answer.status !== 201) throw new Error(`feed setup: feed link for ${userId} answered ${answer.status}`);
      subscriptions.push({ path: new URL(answer.body.url).pathname, expectedEvents: EVENTS_PER_FEED });
    },
  );
  o.log(`feed: ${o.users} feeds of ${EVENTS_PER_FEED} bookings; polling for ${o.seconds} s, ${o.concurrency} in flight`);

  const cpu = measureCpu(serviceCpuGroups(env));
  const tally = await pollFeeds(env.api.baseUrl, subscriptions, { seconds: o.seconds, concurrency: o.concurrency, log: o.log });
  const cpuSeconds = cpu.stop();
  const requests = tally.latencies.length;
  return {
    users: o.users,
    eventsPerFeed: EVENTS_PER_FEED,
    seconds: round2(tally.elapsedMs / 1000),
    requests,
    requestsPerSecond: perSecond(requests, tally.elapsedMs),
    latencyMs: latencyFigures(tally.latencies),
    status200: tally.status200,
    status304: tally.status304,
    errors: tally.errors,
    cpuSeconds,
    serviceCpuMsPerRequest: round2((((cpuSeconds.api ?? 0) + (cpuSeconds.postgres ?? 0)) * 1000) / Math.max(1, requests)),
  };
}
