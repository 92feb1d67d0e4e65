/**
 * How the image and the compose file run the service's processes, so that the bench and the chaos
 * run measure them alike (test/tools/compose.test.ts checks that both files say the same).
 *
 * glibc gives each thread that allocates its own malloc arena (up to 8 per core); a worker's
 * threads (Node's, Temporal's core) kept about 280 MiB more resident at 5,000 open workflows with
 * them than with two (README "Speed, measured").
 */
export const SERVICE_PROCESS_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/**
 * A worker's V8 heap limit: without one, V8 sizes the heap from the machine's memory and lets it
 * grow under a backlog; 256 MB bounded the worker's memory at no measured cost in throughput.
 */
export const WORKER_NODE_ARGS = ['--max-old-space-size=256'] as const;
