import type { WorkerOptions } from '@temporalio/worker';

/**
 * How the worker uses its process, shared with the benchmark's floor worker so that the floor
 * and the service run on the same settings.
 */
export const WORKER_TUNING = {
  // Workflows share one V8 context: far less memory per cached workflow, same isolation.
  reuseV8Context: true,
  // Workflows kept between tasks (WORKER_MAX_CACHED_WORKFLOWS overrides it). The SDK's default
  // grows with the heap limit (about 2,300 here) and the worker's memory with it; in the bench
  // 500 kept the throughput (27.3 bookings/s against 26.6 at 1,000 bookings) with a peak of 672
  // MiB instead of 758. An evicted booking replays its short history at its next change.
  maxCachedWorkflows: 500,
} satisfies Partial<WorkerOptions>;
