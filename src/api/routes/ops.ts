import { Router, type RequestHandler } from 'express';
import type { AppConfig } from '../../config';
import type { DatabaseHealth } from '../../db/health';
import { apiKeyMatcher } from '../auth';
import { ApiError } from '../errors';
import { API_ONLY, readinessCheck, type ProcessState } from '../readiness';
import { metricsRegistry } from '../../metrics/metrics';
import { livenessSchema, notReadySchema, readySchema } from '../responses/operations';
import { sendJson } from '../send-json';
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

/** Who may read /metrics here: anyone (METRICS_PORT, development), holders of METRICS_KEY, or nobody (not served). */
export type MetricsAccess = { kind: 'open' } | { kind: 'key'; key: string } | { kind: 'absent' };

/**
 * /metrics on the API's port: behind METRICS_KEY when it is set; else open in development and
 * tests, and not served in production (scrape METRICS_PORT, which is not published, instead).
 */
export function metricsOnApiPort(config: Pick<AppConfig, 'nodeEnv' | 'metricsKey'>): MetricsAccess {
  if (config.metricsKey !== undefined) return { kind: 'key', key: config.metricsKey };
  return config.nodeEnv === 'production' ? { kind: 'absent' } : { kind: 'open' };
}

/**
 * Liveness (the process answers), readiness (see readiness.ts: answered from a short cache) and
 * Prometheus metrics as `metrics` allows.
 */
export function opsRoutes(
  database: DatabaseHealth,
  workflows: Pick<WorkflowGateway, 'ping'>,
  state: ProcessState = API_ONLY,
  metrics: MetricsAccess = { kind: 'open' },
): Router {
  const router = Router();
  const readiness = readinessCheck(database, workflows, state);
  router.get('/healthz', (_req, res) => {
    sendJson(res, 200, livenessSchema, { status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const answer = await readiness();
    if (answer.ready) sendJson(res, 200, readySchema, answer.body);
    else sendJson(res, 503, notReadySchema, answer.body);
  });
  if (metrics.kind === 'absent') return router;
  // Kinds and outcomes only, no ids; on the API's port only for the key's holders when one is set.
  const guard: RequestHandler = metrics.kind === 'key' ? requireMetricsKey(metrics.key) : (_req, _res, next) => next();
  router.get('/metrics', guard, async (_req, res) => {
    const [ours, core] = await Promise.all([metricsRegistry.metrics(), coreMetrics()]);
    res.type(metricsRegistry.contentType).send(core ? `${ours}\n${core}` : ours);
  });
  return router;
}

/** `Authorization: Bearer <METRICS_KEY>`, compared in constant time like the API keys. */
function requireMetricsKey(key: string): RequestHandler {
  const matcher = apiKeyMatcher([key]);
  return (req, _res, next) => {
    if (matcher.keyOf(req)) return next();
    next(new ApiError(401, 'unauthorized', 'metrics need the metrics key (Authorization: Bearer <METRICS_KEY>)'));
  };
}

export { API_ONLY, type ProcessState } from '../readiness';
