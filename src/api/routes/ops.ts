import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';

/** Liveness (the process answers) and readiness (database and Temporal reachable). */
export function opsRoutes(pool: Pool, temporal: Client): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000).unref())]);
    const [db, tmp] = await Promise.allSettled([
      timeout(pool.query('SELECT 1')),
      timeout(temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const checks = { database: db.status === 'fulfilled' ? 'ok' : 'unavailable', temporal: tmp.status === 'fulfilled' ? 'ok' : 'unavailable' };
    const ready = checks.database === 'ok' && checks.temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
