import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';
import { latencyFigures, perSecond, round2 } from '../figures';
import { judgeCalendars, readCreatedTimes } from '../service/calendar-check';
import { confirmBody } from '../service/confirm-body';
import { connectUsers, type BenchUser } from '../service/participants';
import { waitForWrittenEvents } from '../service/wait-for-events';
import type { ServiceFigures } from '../service/run';
import { counterDelta, scrapeWorkCounters, type WorkCounters } from './counters';
import { scaleOut, type Deployment } from './processes';
import { MIN_SHARE_OF_EVEN_SPLIT, isShared, shares } from './share';
import { waitForCalendars } from './wait-for-calendars';

export interface SpreadApiFigures {
  /** Confirms this process answered 202 (it alone listens on the origin they were sent to). */
  accepted: number;
  /** Its fraction of all accepted confirms. */
  share: number;
  /** CPU it used over the section, from its /metrics. */
  cpuSeconds: number;
}

export interface SpreadWorkerFigures {
  /** Calendar writes that succeeded, from its /metrics (`calsync_calendar_operations_total{outcome="ok"}`). */
  calendarWrites: number;
  /** Its fraction of all workers' calendar writes. */
  share: number;
  /** Activity attempts, from its /metrics. */
  activities: number;
  cpuSeconds: number;
}

/** Throughput, latency and the events read back as the service section measures them, then each process's share. */
export interface SpreadFigures extends Pick<
  ServiceFigures,
  'bookings' | 'seconds' | 'throughputPerSecond' | 'latencyMs' | 'eventsVerified' | 'duplicates' | 'lost' | 'refused'
> {
  /** By process name (api-0 is the environment's own API, api-1 the one started for this section). */
  apis: Record<string, SpreadApiFigures>;
  /** By process name (worker-0 … the environment's own; the rest started for this section). */
  workers: Record<string, SpreadWorkerFigures>;
  /** All workers' calendar writes: 2 × bookings when nothing was written twice or retried after a write. */
  calendarWrites: number;
  /** The least share each process had to do: MIN_SHARE_OF_EVEN_SPLIT of an even split, per kind. */
  minShare: { api: number; worker: number };
  /** Every API and every worker did at least its minShare. */
  shared: boolean;
}

export interface SpreadOptions {
  bookings: number;
  concurrency: number;
  /** Connected users on each side, the section's own. */
  users: number;
  /** Processes of each kind to run the section with (at least 2 of each). */
  apis: number;
  workers: number;
  log: (line: string) => void;
}

const scrapeAll = (urls: string[]): Promise<WorkCounters[]> => Promise.all(urls.map(scrapeWorkCounters));

/**
 * N confirms sent alternately to two API processes while two worker processes serve the same task
 * queue and database; every participant's calendar read back from the sandbox, and each process's
 * share of the work read from its own /metrics. The extra processes are stopped at the end.
 */
export async function runSpread(env: BenchEnvironment, o: SpreadOptions): Promise<SpreadFigures> {
  const [deployment, tutors, clients] = await Promise.all([
    scaleOut(env, { apis: o.apis, workers: o.workers }),
    // Its own users: their calendars hold only this section's events, so reading them back stays cheap.
    connectUsers(env, `${env.runId}-st`, o.users),
    connectUsers(env, `${env.runId}-sc`, o.users),
  ]);
  try {
    o.log(`spread: ${deployment.apis.length} API and ${deployment.workers.length} worker processes, ${o.bookings} bookings`);
    return await measure(env, deployment, tutors, clients, o);
  } finally {
    await deployment.stop();
  }
}

async function measure(
  env: BenchEnvironment,
  d: Deployment,
  tutors: BenchUser[],
  clients: BenchUser[],
  o: SpreadOptions,
): Promise<SpreadFigures> {
  const prefix = `${env.runId}-spread-`;
  const plans = Array.from({ length: o.bookings }, (_, i) => {
    const tutor = tutors[i % tutors.length]!;
    // A different pairing for each lap over the tutors, as in the service section.
    const client = clients[(i + Math.floor(i / tutors.length)) % clients.length]!;
    return { bookingId: `${prefix}${i}`, emails: [tutor.email, client.email], tutor, client, acceptedAt: 0 };
  });
  const apiUrls = d.apis.map((a) => a.metricsUrl);
  const workerUrls = d.workers.map((w) => w.metricsUrl);
  const [apisBefore, workersBefore] = await Promise.all([scrapeAll(apiUrls), scrapeAll(workerUrls)]);
  const accepted = d.apis.map(() => 0);
  let refused = 0;

  const startedAt = Date.now();
  await forEachConcurrently(plans, o.concurrency, async (p, i) => {
    // Alternating, as a round-robin load balancer in front of the APIs would.
    const a = i % d.apis.length;
    const answer = await d.apis[a]!.api.operationUntilAnswered('confirmBooking', {
      params: { path: { bookingId: p.bookingId } },
      body: confirmBody(i, p.tutor.userId, p.client.userId),
    });
    if (answer.status === 202) {
      p.acceptedAt = Date.now();
      accepted[a]! += 1;
    } else {
      refused += 1;
      o.log(`spread: confirm ${p.bookingId} on ${d.apis[a]!.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  const sent = plans.filter((p) => p.acceptedAt > 0);
  o.log(`spread: ${sent.length} confirms accepted in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  const arrived = await waitForCalendars(env.sandbox, sent, prefix, 120_000, o.log);
  // Until the service has recorded every write too: a write still in flight would come after the counters are read.
  await waitForWrittenEvents(env.pool, prefix, arrived.eventsVerified, 30_000, o.log);
  const [apisAfter, workersAfter] = await Promise.all([scrapeAll(apiUrls), scrapeAll(workerUrls)]);
  // Read again now that the service is done: a second write of an event would show here.
  const verdict = judgeCalendars(
    sent,
    await readCreatedTimes(
      env.sandbox,
      plans.flatMap((p) => p.emails),
      prefix,
    ),
  );

  const apiWork = apisAfter.map((after, i) => counterDelta(apisBefore[i]!, after));
  const workerWork = workersAfter.map((after, i) => counterDelta(workersBefore[i]!, after));
  const writes = workerWork.map((w) => w.calendarWrites);
  const apiShares = shares(accepted);
  const writeShares = shares(writes);
  const latencies = sent.flatMap((p) => {
    const done = verdict.completedAt.get(p.bookingId);
    return done === undefined ? [] : [done - p.acceptedAt];
  });
  const finishedAt = Math.max(...verdict.completedAt.values(), startedAt);
  return {
    bookings: o.bookings,
    seconds: round2((finishedAt - startedAt) / 1000),
    throughputPerSecond: perSecond(verdict.completedAt.size, finishedAt - startedAt),
    latencyMs: latencyFigures(latencies),
    eventsVerified: verdict.eventsVerified,
    duplicates: verdict.duplicates,
    lost: verdict.lost + refused * 2,
    refused,
    apis: Object.fromEntries(
      d.apis.map((a, i) => [a.name, { accepted: accepted[i]!, share: apiShares[i]!, cpuSeconds: apiWork[i]!.cpuSeconds }]),
    ),
    workers: Object.fromEntries(
      d.workers.map((w, i) => [
        w.name,
        {
          calendarWrites: writes[i]!,
          share: writeShares[i]!,
          activities: workerWork[i]!.activities,
          cpuSeconds: workerWork[i]!.cpuSeconds,
        },
      ]),
    ),
    calendarWrites: writes.reduce((n, w) => n + w, 0),
    minShare: { api: round2(MIN_SHARE_OF_EVEN_SPLIT / d.apis.length), worker: round2(MIN_SHARE_OF_EVEN_SPLIT / d.workers.length) },
    shared: isShared(accepted) && isShared(writes),
  };
}
