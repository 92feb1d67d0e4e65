import type { WorkerOptions } from '@temporalio/worker';

/**
 * How the worker uses its process, shared with the benchmark's floor worker so that the floor
 * and the service run on the same settings.
 */
export const WORKER_TUNING = {
  // Workflows share one V8 context: far less memory per cached workflow, same isolation.
  reuseV8Context: true,
} satisfies Partial<WorkerOptions>;
