import { Router } from 'express';
import type { DatabaseHealth } from '../../db/health';
import { metricsRegistry } from '../../metrics/metrics';
import type { WorkflowGateway } from '../../temporal/workflow-gateway';
import { temporalCoreMetricsUrl } from '../../temporal-runtime';

/** Temporal Core's exposition, or nothing when it cannot be read (this process has no Core metrics). */
async function coreMetrics(): Promise<string> {
  const url = temporalCoreMetricsUrl();
  if (!url) return '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

/** What the process says about itself, beside what its dependencies answer. */
export interface ProcessState {
  /** Shutdown has begun (SIGTERM): not ready, whatever else holds. */
  shuttingDown(): boolean;
  /** This process's worker: `running`, `stopped`, or undefined when it runs none. */
  worker(): 'running' | 'stopped' | undefined;
}

/** A process without a worker that is not shutting down (the API alone, in tests). */
export const API_ONLY: ProcessState = { shuttingDown: () => false, worker: () => undefined };

/**
 * Liveness (the process answers), readiness (not shutting down, its worker running, database
 * and Temporal reachable) and Prometheus metrics.
 */
export function opsRoutes(database: DatabaseHealth, workflows: Pick<WorkflowGateway, 'ping'>, state: ProcessState = API_ONLY): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // Readiness goes off first when shutdown begins: load balancers stop routing here.
    if (state.shuttingDown()) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000).unref())]);
    const [databaseCheck, temporalCheck] = await Promise.allSettled([timeout(database.ping()), timeout(workflows.ping())]);
    const worker = state.worker();
    const checks = {
      database: databaseCheck.status === 'fulfilled' ? 'ok' : 'unavailable',
      temporal: temporalCheck.status === 'fulfilled' ? 'ok' : 'unavailable',
      ...(worker ? { worker } : {}),
    };
    const ready = checks.database === 'ok' && checks.temporal === 'ok' && worker !== 'stopped' && !state.shuttingDown();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  // Kinds and outcomes only, no ids: public like /healthz (scrapers send no key).
  router.get('/metrics', async (_req, res) => {
    const [ours, core] = await Promise.all([metricsRegistry.metrics(), coreMetrics()]);
    res.type(metricsRegistry.contentType).send(core ? `${ours}\n${core}` : ours);
  });
  return router;
}
