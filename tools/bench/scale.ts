import { sleep } from '../dev/child-processes';
import type { BenchEnvironment } from './environment';
import { rssMiB } from './process-stats';
import type { ServiceFigures } from './service/run';

export interface ScalePoint {
  bookings: number;
  throughputPerSecond: number;
  p99Ms: number;
  workerPeakRssMiB: number;
  workerCpuMsPerBooking: number;
}

export interface ScaleFigures {
  points: ScalePoint[];
  /** Open (idle, long-lived) booking workflows when the idle RSS was read. */
  openBookingWorkflows: number;
  idleWorkerRssMiB: number;
}

export const scalePoint = (f: ServiceFigures): ScalePoint => ({
  bookings: f.bookings,
  throughputPerSecond: f.throughputPerSecond,
  p99Ms: f.latencyMs.p99,
  workerPeakRssMiB: f.workerPeakRssMiB,
  workerCpuMsPerBooking: f.workerCpuMsPerBooking,
});

/** The workers' memory once every booking workflow waits idle for its lesson (they stay open until it ends). */
export async function idleFigures(env: BenchEnvironment): Promise<Omit<ScaleFigures, 'points'>> {
  await sleep(10_000);
  const { count } = await env.client.workflow.count(
    `WorkflowType = 'bookingWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${env.serviceTaskQueue}'`,
  );
  return { openBookingWorkflows: count, idleWorkerRssMiB: env.workers.reduce((n, w) => n + (rssMiB(w.pid!) ?? 0), 0) };
}
