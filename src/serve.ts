import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createLogger } from './logging';
import { startService, type RunningService } from './service';
import { tracedBundlePath } from './telemetry/tracing';

/** What a process runs: the HTTP API, the worker, or both. */
export type Role = 'all' | 'api' | 'worker';

const ROLES: readonly Role[] = ['all', 'api', 'worker'];

/** The role named on the command line (`all` when none); anything else is the operator's mistake. */
export function parseRole(arg: string | undefined): Role {
  const role = arg ?? 'all';
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  throw new ConfigError([`unknown role "${role}": use all (default), api or worker`]);
}

export interface Serving {
  service: RunningService;
  /** The port the API listens on, when it is served. */
  port: number | undefined;
  /** Settles when the worker stops without being asked to (see RunningService.workerFailed). */
  workerFailed: Promise<Error>;
  /** Readiness off, SHUTDOWN_DELAY of still serving, then a drained stop; the pool last. */
  stop(): Promise<void>;
  /** Longer than a drained stop can take: the process exits anyway after it. */
  stopDeadlineMs: number;
}

/**
 * Configuration from `env`, pending migrations applied, then the API and/or the worker.
 * Throws `ConfigError` with a message for the operator when the configuration is incomplete.
 */
export async function serve(env: NodeJS.ProcessEnv, role: Role): Promise<Serving> {
  const config = loadConfig(env);
  const bundlePath = config.workflowBundlePath === undefined ? undefined : path.resolve(config.workflowBundlePath);
  // Checked before anything starts: the SDK's own error for a missing bundle names no variable.
  if (bundlePath !== undefined && role !== 'api' && !existsSync(bundlePath)) {
    throw new ConfigError([`WORKFLOW_BUNDLE_PATH: no workflow bundle at ${bundlePath}`]);
  }
  // With tracing on, the worker loads the traced variant written beside it (bundle-workflows writes both).
  const traced = bundlePath === undefined ? undefined : tracedBundlePath(bundlePath);
  if (traced !== undefined && role !== 'api' && config.tracing.otlpEndpoint !== undefined && !existsSync(traced)) {
    throw new ConfigError([
      `WORKFLOW_BUNDLE_PATH: tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT) and there is no traced workflow bundle at ${traced}`,
    ]);
  }
  const logger = createLogger(config.logLevel);
  const pool = createPool(config.databaseUrl ?? '', config.databasePoolMax);
  const applied = await migrate(pool);
  if (applied.length > 0) logger.info({ applied }, 'database migrations applied');

  const service = await startService({
    config,
    pool,
    logger,
    api: role !== 'worker',
    worker: role !== 'api',
    // A workflow bundle built ahead (dist/cli/bundle-workflows.js) saves the worker its start-up bundling.
    ...(bundlePath !== undefined ? { workflowBundle: { codePath: bundlePath } } : {}),
  });

  let stopped: Promise<void> | undefined;
  return {
    service,
    port: service.url ? config.port : undefined,
    workerFailed: service.workerFailed,
    // The delay, the worker's grace and the HTTP drain's, and room for closing connections.
    stopDeadlineMs: config.shutdown.delayMs + 2 * config.shutdown.graceMs + 10_000,
    stop() {
      stopped ??= (async () => {
        logger.info('shutting down');
        service.beginShutdown();
        // Load balancers see /readyz answer 503 and stop routing here before the listener closes.
        await new Promise((resolve) => setTimeout(resolve, config.shutdown.delayMs));
        await service.close().catch((err: unknown) => logger.error({ err: String(err) }, 'shutdown failed'));
        await pool.end().catch(() => undefined);
      })();
      return stopped;
    },
  };
}

/**
 * How every service process ends: on SIGINT or SIGTERM a drained stop, then `afterStop`, then
 * exit 0; when the worker stops on its own, the same stop and exit 1, so a supervisor restarts it.
 */
export function runUntilStopped(serving: Serving, say: (line: string) => void, afterStop: () => Promise<void> = async () => {}): void {
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    setTimeout(() => process.exit(code === 0 ? 1 : code), serving.stopDeadlineMs).unref();
    void serving
      .stop()
      .then(afterStop)
      .finally(() => process.exit(code));
  };
  process.once('SIGINT', () => exit(0));
  process.once('SIGTERM', () => exit(0));
  void serving.workerFailed.then((err) => {
    say(`The worker stopped: ${err.message}. Exiting.`);
    exit(1);
  });
}
