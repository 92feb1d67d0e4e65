import { temporal } from '@temporalio/proto';
import { bookingWorkflowId } from '../../../src/workflows/messages';
import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';
import { cpuMsPerBooking, latencyFigures, perSecond, round2, type LatencyFigures } from '../figures';
import { measureCpu, pidsNamed, watchPeakRss, type CpuGroups } from '../process-stats';
import { confirmBody } from './confirm-body';
import { judgeWrittenEvents } from './judge-written-events';
import type { BenchUser } from './participants';
import { waitForWrittenEvents } from './wait-for-events';

export interface ServiceFigures {
  bookings: number;
  seconds: number;
  throughputPerSecond: number;
  /** From the API's 202 to both participants' events existing in the sandbox. */
  latencyMs: LatencyFigures;
  /** Must equal 2 × bookings. */
  eventsVerified: number;
  duplicates: number;
  lost: number;
  /** Confirms the API answered with anything but 202. */
  refused: number;
  workerPeakRssMiB: number;
  workerCpuMsPerBooking: number;
  /** CPU seconds used during the run, by process group: what the machine spent its time on. */
  cpuSeconds: Record<string, number>;
  /** CPU milliseconds per booking of each process group (the same groups as `cpuSeconds`). */
  cpuMsPerBooking: Record<string, number>;
  /** One booking's workflow history by event type: the engine's work per booking. */
  historyOfOneBooking: Record<string, number>;
}

export interface ServiceRunOptions {
  label: string;
  bookings: number;
  concurrency: number;
  tutors: BenchUser[];
  clients: BenchUser[];
  /** Give up waiting when no event has been written for this long. */
  stallMs?: number;
  log: (line: string) => void;
}

/**
 * N bookings confirmed through the real HTTP API, as a booking system sends them (`concurrency`
 * requests in flight), then every participant's calendar read back from the sandbox.
 */
export async function runServiceBookings(env: BenchEnvironment, o: ServiceRunOptions): Promise<ServiceFigures> {
  const prefix = `${env.runId}-${o.label}-`;
  const plans = Array.from({ length: o.bookings }, (_, i) => {
    const tutor = o.tutors[i % o.tutors.length]!;
    // A different pairing for each lap over the tutors, so load spreads over every calendar.
    const client = o.clients[(i + Math.floor(i / o.tutors.length)) % o.clients.length]!;
    return { bookingId: `${prefix}${i}`, tutor, client, acceptedAt: 0 };
  });
  const watchers = env.workers.map((w) => watchPeakRss(w.pid!));
  const cpu = measureCpu(serviceCpuGroups(env));

  let refused = 0;
  const startedAt = Date.now();
  await forEachConcurrently(plans, o.concurrency, async (p, i) => {
    const answer = await env.api.operationUntilAnswered('confirmBooking', {
      params: { path: { bookingId: p.bookingId } },
      body: confirmBody(i, p.tutor.userId, p.client.userId),
    });
    if (answer.status === 202) p.acceptedAt = Date.now();
    else {
      refused += 1;
      o.log(`confirm ${p.bookingId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  const accepted = plans.filter((p) => p.acceptedAt > 0);
  o.log(`${o.label}: ${accepted.length} confirms accepted in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  await waitForWrittenEvents(env.pool, prefix, accepted.length * 2, o.stallMs ?? 120_000, o.log);

  const peaks = watchers.map((w) => w.stop());
  const cpuSeconds = cpu.stop();
  const verdict = await judgeWrittenEvents(env.sandbox, prefix, plans);
  const finishedAt = Math.max(...verdict.completedAt.values(), startedAt);
  return {
    bookings: o.bookings,
    seconds: round2((finishedAt - startedAt) / 1000),
    throughputPerSecond: perSecond(verdict.completedAt.size, finishedAt - startedAt),
    latencyMs: latencyFigures(verdict.latencies),
    eventsVerified: verdict.eventsVerified,
    duplicates: verdict.duplicates,
    lost: verdict.lost + refused * 2,
    refused,
    workerPeakRssMiB: Math.max(...peaks),
    workerCpuMsPerBooking: round2(((cpuSeconds.workers ?? 0) * 1000) / o.bookings),
    cpuSeconds,
    cpuMsPerBooking: cpuMsPerBooking(cpuSeconds, o.bookings),
    historyOfOneBooking: await historyShape(env, plans[0]!.bookingId),
  };
}

export const serviceCpuGroups = (env: BenchEnvironment): CpuGroups => ({
  temporal: () => [env.temporal.pid],
  workers: () => env.workers.map((w) => w.pid!),
  api: () => [env.apiProcess.pid!],
  postgres: () => pidsNamed('postgres'),
  benchAndSandbox: () => [process.pid],
});

async function historyShape(env: BenchEnvironment, bookingId: string): Promise<Record<string, number>> {
  const history = await env.client.workflow.getHandle(bookingWorkflowId(bookingId)).fetchHistory();
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const name = temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace(/^EVENT_TYPE_/, '').toLowerCase() ?? 'unknown';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
