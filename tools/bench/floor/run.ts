import path from 'node:path';
import { sleep } from '../../dev/child-processes';
import { ServiceProcess } from '../../support/service-process';
import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';
import { cpuMsPerBooking, latencyFigures, perSecond, round2, type LatencyFigures } from '../figures';
import { measureCpu, watchPeakRss } from '../process-stats';
import { pacedSide, type PacedSide } from '../paced/figures';
import { offerAtRate, offersFor } from '../paced/offer';
import { floorConfirmSignal, type FloorConfirm, type floorBookingWorkflow, type FloorShape } from './workflows';

export interface FloorFigures {
  bookings: number;
  seconds: number;
  throughputPerSecond: number;
  /** From signalWithStart returning to the workflow's completion. */
  latencyMs: LatencyFigures;
  completed: number;
  workerPeakRssMiB: number;
  workerCpuMsPerBooking: number;
  cpuSeconds: Record<string, number>;
  /** CPU milliseconds per booking of each process group (the same groups as `cpuSeconds`). */
  cpuMsPerBooking: Record<string, number>;
}

/**
 * Temporal alone doing the service's shape of work: signalWithStart of one workflow per
 * booking, one no-op activity per participant, completion. Same dev server, same driver
 * concurrency and the same worker settings as the service.
 */
export async function runFloor(
  env: BenchEnvironment,
  o: { bookings: number; concurrency: number; shape?: FloorShape; log: (line: string) => void },
): Promise<FloorFigures> {
  const shape = o.shape ?? 'writes';
  const name = shape === 'writes' ? 'floor' : `floor-${shape}`;
  const { taskQueue, worker, warmedUp } = await startWarmFloorWorker(env, {
    name,
    shape,
    warmup: warmupSize(o.bookings),
    concurrency: o.concurrency,
    log: o.log,
  });
  try {
    const pid = worker.pid!;
    const rss = watchPeakRss(pid);
    const cpu = measureCpu({ temporal: () => [env.temporal.pid], worker: () => [pid], bench: () => [process.pid] });
    const acceptedAt = new Map<string, number>();
    const startedAt = Date.now();
    await forEachConcurrently(
      Array.from({ length: o.bookings }, (_, i) => `${name}-${env.runId}-${i}`),
      o.concurrency,
      async (bookingId) => {
        await startFloorBooking(env, taskQueue, bookingId, shape);
        acceptedAt.set(bookingId, Date.now());
      },
    );
    await waitUntilCompleted(env, taskQueue, warmedUp + o.bookings, o.log);
    const peak = rss.stop();
    const cpuSeconds = cpu.stop();

    const latencies: number[] = [];
    let lastClose = startedAt;
    for await (const w of env.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'` })) {
      // Warm-up workflows have no start time here and are skipped.
      const accepted = acceptedAt.get(w.workflowId);
      if (accepted === undefined || !w.closeTime) continue;
      latencies.push(w.closeTime.getTime() - accepted);
      lastClose = Math.max(lastClose, w.closeTime.getTime());
    }
    return {
      bookings: o.bookings,
      seconds: round2((lastClose - startedAt) / 1000),
      throughputPerSecond: perSecond(latencies.length, lastClose - startedAt),
      latencyMs: latencyFigures(latencies),
      completed: latencies.length,
      workerPeakRssMiB: peak,
      workerCpuMsPerBooking: round2(((cpuSeconds.worker ?? 0) * 1000) / o.bookings),
      cpuSeconds,
      cpuMsPerBooking: cpuMsPerBooking(cpuSeconds, o.bookings),
    };
  } finally {
    await worker.stop();
  }
}

/** Starts the floor's worker in its own process and runs a warm-up through it, not measured. */
async function startWarmFloorWorker(
  env: BenchEnvironment,
  o: { name: string; shape?: FloorShape; warmup: number; concurrency: number; log: (line: string) => void },
): Promise<{ taskQueue: string; worker: ServiceProcess; warmedUp: number }> {
  const taskQueue = `bench-${o.name}-${env.runId}`;
  const worker = new ServiceProcess(
    'floor worker',
    { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: env.temporal.address, TEMPORAL_TASK_QUEUE: taskQueue },
    path.join(env.dir, `${o.name}-worker.log`),
    [path.join(__dirname, 'worker.ts')],
  );
  await worker.start();
  try {
    // Warm-up, not measured: the service's worker has run workflows before its run too.
    const warmup = Array.from({ length: o.warmup }, (_, i) => `${o.name}-${env.runId}-warmup-${i}`);
    await forEachConcurrently(warmup, o.concurrency, (bookingId) => startFloorBooking(env, taskQueue, bookingId, o.shape));
    await waitUntilCompleted(env, taskQueue, warmup.length, o.log);
    return { taskQueue, worker, warmedUp: warmup.length };
  } catch (err) {
    await worker.stop();
    throw err;
  }
}

/**
 * The floor at paced rates (the paced section's other side): for each rate, `offersFor(rate,
 * seconds)` signalWithStarts sent on a fixed schedule, open loop, each measured from
 * signalWithStart returning to the workflow's close. One warm worker for every rate; each rate
 * starts once the previous one's workflows have all completed.
 */
export async function runFloorPaced(
  env: BenchEnvironment,
  o: { ratesPerSecond: number[]; seconds: number; concurrency: number; log: (line: string) => void },
): Promise<PacedSide[]> {
  const counts = o.ratesPerSecond.map((r) => offersFor(r, o.seconds));
  const { taskQueue, worker, warmedUp } = await startWarmFloorWorker(env, {
    name: 'floor-paced',
    warmup: warmupSize(Math.max(...counts)),
    concurrency: o.concurrency,
    log: o.log,
  });
  try {
    const sides: PacedSide[] = [];
    let started = warmedUp;
    for (const [k, perSecond] of o.ratesPerSecond.entries()) {
      const count = counts[k]!;
      o.log(`floor paced: ${count} workflows at ${perSecond}/s`);
      const sentAt = new Map<string, number>();
      const acceptedAt = new Map<string, number>();
      let refused = 0;
      const offers = await offerAtRate(count, perSecond, async (i) => {
        const bookingId = `floor-paced-${env.runId}-${k}-${i}`;
        sentAt.set(bookingId, Date.now());
        try {
          await startFloorBooking(env, taskQueue, bookingId);
          acceptedAt.set(bookingId, Date.now());
        } catch (err) {
          refused += 1;
          o.log(`floor paced ${bookingId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
      started += acceptedAt.size;
      await waitUntilCompleted(env, taskQueue, started, o.log);
      const latencies: number[] = [];
      for await (const w of env.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'` })) {
        // Other rates' and the warm-up's workflows are not in this rate's map.
        const accepted = acceptedAt.get(w.workflowId);
        if (accepted !== undefined && w.closeTime) latencies.push(w.closeTime.getTime() - accepted);
      }
      const accept = [...acceptedAt].map(([id, at]) => at - sentAt.get(id)!);
      sides.push(pacedSide(offers, refused, latencies, accept));
    }
    return sides;
  } finally {
    await worker.stop();
  }
}

/**
 * Waits until `expected` workflows of the queue show as completed. Not "none running": visibility
 * is written after the fact, so a count of running ones can be 0 before the started ones appear.
 */
async function waitUntilCompleted(env: BenchEnvironment, taskQueue: string, expected: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const { count } = await env.client.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`);
    if (count >= expected) return;
    if (Date.now() > deadline) {
      log(`floor: ${expected - count} workflows not completed after 10 minutes`);
      return;
    }
    await sleep(250);
  }
}

/** Bookings run before measuring: 5 % of the run, at least 20. */
export const warmupSize = (bookings: number): number => Math.max(20, Math.round(bookings / 20));

async function startFloorBooking(env: BenchEnvironment, taskQueue: string, bookingId: string, shape: FloorShape = 'writes'): Promise<void> {
  await env.client.workflow.signalWithStart<typeof floorBookingWorkflow, [FloorConfirm]>('floorBookingWorkflow', {
    workflowId: bookingId,
    taskQueue,
    args: [shape],
    signal: floorConfirmSignal,
    signalArgs: [{ bookingId, participants: [{ userId: 'tutor' }, { userId: 'client' }] }],
  });
}
