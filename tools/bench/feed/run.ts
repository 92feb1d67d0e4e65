import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';
import { latencyFigures, perSecond, round2, type LatencyFigures } from '../figures';
import { measureCpu } from '../process-stats';
import { serviceCpuGroups } from '../service/run';
import { pollFeeds, type Subscription } from './poll';
import { storeFeedBookings } from './store-bookings';

/** Upcoming bookings in each subscribed user's feed. */
export const EVENTS_PER_FEED = 5;

export interface FeedFigures {
  /** Users with a feed link, each feed polled in turn. */
  users: number;
  eventsPerFeed: number;
  seconds: number;
  /** Storing the bookings, creating the feed links and fetching each feed once (not measured; the section's own cost). */
  setupSeconds: number;
  /** Every answer in that time, valid or not. */
  requests: number;
  requestsPerSecond: number;
  /** From sending the request to the end of the answer's body. */
  latencyMs: LatencyFigures;
  /** Full copies (a quarter of the polls), each checked to be a feed with every booking. */
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
 * `users` users without a connected calendar, each with EVENTS_PER_FEED upcoming bookings (stored
 * as their workflows save them, see storeFeedBookings), get a feed link; then their feeds are
 * polled for `seconds` with `concurrency` requests in flight.
 */
export async function runFeed(
  env: BenchEnvironment,
  o: { users: number; seconds: number; concurrency: number; log: (line: string) => void },
): Promise<FeedFigures> {
  const setupStartedAt = Date.now();
  // Each user is the tutor of their bookings; the clients subscribe to nothing.
  const userOf = (i: number) => `${env.runId}-feedu${i % o.users}`;
  await storeFeedBookings(env, {
    count: o.users * EVENTS_PER_FEED,
    bookingIdOf: (i) => `${env.runId}-feed-${i}`,
    tutorOf: userOf,
    clientOf: (i) => `${env.runId}-feedc${i}`,
  });

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
  // Subscribed apps have each fetched their feed before: one full round, checked but not measured.
  const first = await pollFeeds(env.api.baseUrl, subscriptions, { seconds: 600, rounds: 1, concurrency: o.concurrency, log: o.log });
  if (first.status200 !== o.users) throw new Error(`feed setup: ${first.status200} of ${o.users} first fetches were whole feeds`);
  const setupSeconds = round2((Date.now() - setupStartedAt) / 1000);
  o.log(
    `feed: ${o.users} feeds of ${EVENTS_PER_FEED} bookings; stored and fetched once in ${setupSeconds} s; polling for ${o.seconds} s, ${o.concurrency} in flight`,
  );

  const cpu = measureCpu(serviceCpuGroups(env));
  const tally = await pollFeeds(env.api.baseUrl, subscriptions, { seconds: o.seconds, concurrency: o.concurrency, log: o.log });
  const cpuSeconds = cpu.stop();
  const requests = tally.latencies.length;
  return {
    users: o.users,
    eventsPerFeed: EVENTS_PER_FEED,
    seconds: round2(tally.elapsedMs / 1000),
    setupSeconds,
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
