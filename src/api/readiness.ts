import type { DatabaseHealth } from '../db/health';
import { cachedFor } from '../metrics/cached';
import type { WorkflowGateway } from '../temporal/workflow-gateway';

/** What the process says about itself, beside what its dependencies answer. */
export interface ProcessState {
  /** Shutdown has begun (SIGTERM): not ready, whatever else holds. */
  shuttingDown(): boolean;
  /** This process's worker: `running`, `stopped`, or undefined when it runs none. */
  worker(): 'running' | 'stopped' | undefined;
}

/** A process without a worker that is not shutting down (the API alone, in tests). */
export const API_ONLY: ProcessState = { shuttingDown: () => false, worker: () => undefined };

/** How long one answer of the database and Temporal is reused: probes in between reach neither. */
export const DEPENDENCY_CHECK_TTL_MS = 2_000;
/** Longest wait for each dependency's answer. */
const DEPENDENCY_TIMEOUT_MS = 3_000;

export type Readiness =
  | { ready: true; body: { status: 'ready'; checks: Checks } }
  | { ready: false; body: { status: 'not_ready'; checks: Checks } | { status: 'shutting_down' } };

interface Checks {
  database: 'ok' | 'unavailable';
  temporal: 'ok' | 'unavailable';
  worker?: 'running' | 'stopped';
}

/** The database's answer, or a timeout (Temporal's ping carries its own deadline and is awaited to its end). */
const timeout = <T>(p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), DEPENDENCY_TIMEOUT_MS).unref())]);

/**
 * Readiness: not shutting down, the worker (if any) running, database and Temporal reachable.
 * The process's own state is read on every call; the dependencies are asked at most once per
 * `ttlMs` (single-flight), so a flood of probes does not reach PostgreSQL or Temporal.
 */
export function readinessCheck(
  database: DatabaseHealth,
  workflows: Pick<WorkflowGateway, 'ping'>,
  state: ProcessState = API_ONLY,
  opts: { ttlMs?: number; now?: () => number } = {},
): () => Promise<Readiness> {
  const dependencies = cachedFor(
    opts.ttlMs ?? DEPENDENCY_CHECK_TTL_MS,
    async () => {
      const [database_, temporal] = await Promise.allSettled([timeout(database.ping()), workflows.ping(DEPENDENCY_TIMEOUT_MS)]);
      return {
        database: database_.status === 'fulfilled' ? ('ok' as const) : ('unavailable' as const),
        temporal: temporal.status === 'fulfilled' ? ('ok' as const) : ('unavailable' as const),
      };
    },
    opts.now,
  );
  return async () => {
    // Readiness goes off first when shutdown begins: load balancers stop routing here.
    if (state.shuttingDown()) return { ready: false, body: { status: 'shutting_down' } };
    const { database: db, temporal } = await dependencies();
    const worker = state.worker();
    const checks: Checks = { database: db, temporal, ...(worker ? { worker } : {}) };
    const ready = db === 'ok' && temporal === 'ok' && worker !== 'stopped' && !state.shuttingDown();
    return ready ? { ready, body: { status: 'ready', checks } } : { ready, body: { status: 'not_ready', checks } };
  };
}
