import type { WorkerOptions } from '@temporalio/worker';

/**
 * How the worker uses its process, shared with the benchmark's floor worker so that the floor
 * and the service run on the same settings.
 */
export const WORKER_TUNING = {
  // Workflows share one V8 context: far less memory per cached workflow, same isolation.
  reuseV8Context: true,
  // Workflows kept between tasks (WORKER_MAX_CACHED_WORKFLOWS overrides it). The SDK's default
  // grows with the heap limit (about 2,300 here) and the worker's memory with it. With 5,000 open
  // booking workflows in the bench, 250 kept 382 MiB against 482 with 500, at the same throughput
  // (25.0 bookings/s against 25.2); an evicted booking replays its short history at its next change.
  maxCachedWorkflows: 250,
} satisfies Partial<WorkerOptions>;
