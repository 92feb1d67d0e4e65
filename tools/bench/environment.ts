import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { migrate } from '../../src/db/migrate';
import type { Pool } from 'pg';
import { createPool } from '../../src/db/pool';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { findFreePort } from '../dev/ports';
import { ServiceApiClient } from '../support/service-api-client';
import { sandboxServiceEnv } from '../support/service-env';
import { SERVICE_PROCESS_ENV, WORKER_NODE_ARGS } from '../support/service-runtime';
import { ServiceProcess } from '../support/service-process';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { createFreshDatabase, type FreshDatabase } from '../support/test-database';
import { writeWorkflowBundles } from '../../src/temporal/workflow-bundles';
import { GoogleSandboxControl, startGoogleSandbox, type RunningGoogleSandbox } from 'calendar-emulators/google';
import { startMicrosoftSandbox } from 'calendar-emulators/microsoft';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

export const SANDBOX_CLIENT = { id: 'bench-client.apps.sandbox', secret: 'bench-client-secret' };

/**
 * Everything the benchmark runs against, on this machine: one Temporal dev server (in memory,
 * shared by the floor and the service so both meet the same engine), a fresh PostgreSQL
 * database, the Google sandbox, and the service itself as separate API and worker processes.
 */
export interface BenchEnvironment {
  dir: string;
  runId: string;
  temporal: DevServer;
  client: Client;
  database: FreshDatabase;
  /** The bench's own connection to the service's database (read-only use: progress checks). */
  pool: Pool;
  google: RunningGoogleSandbox;
  sandbox: GoogleSandboxControl;
  api: ServiceApiClient;
  apiProcess: ServiceProcess;
  workers: ServiceProcess[];
  /** Each process's Prometheus metrics: the API's on its own port, each worker's on its METRICS_PORT. */
  metricsUrls: { api: string; workers: string[] };
  /**
   * The environment the API and workers were started with (a worker adds its METRICS_PORT): more
   * processes of the same deployment, and its ENCRYPTION_KEYS let bench-side writes seal as the service does.
   */
  serviceEnv: NodeJS.ProcessEnv;
  /** Starts one more API or worker process of the deployment, run as the environment's own are. */
  serviceProcess(role: 'api' | 'worker', env: NodeJS.ProcessEnv, logFile: string): ServiceProcess;
  serviceTaskQueue: string;
  close(): Promise<void>;
}

export async function startBenchEnvironment(opts: {
  workers: number;
  /** The workers' WORKER_MAX_CACHED_WORKFLOWS; undefined: the service's default. */
  workerCache?: number | undefined;
  /** Run the service from dist/ as the image does (`npm run build` first), not its sources through tsx. */
  built?: boolean;
  quota: number;
  log: (line: string) => void;
}): Promise<BenchEnvironment> {
  const dir = await mkdtemp(path.join(tmpdir(), 'calsync-bench-'));
  const runId = `b${randomBytes(3).toString('hex')}`;
  const binary = await ensureTemporalCli({ log: opts.log });
  const temporal = await startDevServer({ binary, headless: true, searchAttributes: { ...SEARCH_ATTRIBUTES }, log: opts.log });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });

  const database = await createFreshDatabase({ prefix: 'calsync_bench' });
  const pool = createPool(database.url, 4);
  await migrate(pool);

  const google = await startGoogleSandbox({ port: 0, clientId: SANDBOX_CLIENT.id, clientSecret: SANDBOX_CLIENT.secret });
  const sandbox = new GoogleSandboxControl(google.url);
  // Not measured; configured so that the service does not start an emulator of its own.
  const microsoft = await startMicrosoftSandbox({ port: 0, clientId: SANDBOX_CLIENT.id, clientSecret: SANDBOX_CLIENT.secret });

  const workflowBundlePath = await writeWorkflowBundles({ file: path.join(dir, 'workflows.js'), log: opts.log });
  const port = await findFreePort();
  const apiKey = `bench_${randomBytes(24).toString('base64url')}`;
  const serviceTaskQueue = `bench-${runId}`;
  const env = {
    ...sandboxServiceEnv({
      databaseUrl: database.url,
      temporalAddress: temporal.address,
      taskQueue: serviceTaskQueue,
      port,
      apiKey,
      sandboxClient: SANDBOX_CLIENT,
      googleUrl: google.url,
      microsoftUrl: microsoft.url,
      workflowBundlePath,
    }),
    GOOGLE_QUOTA_PER_USER_PER_MINUTE: String(opts.quota * 60),
    ...(opts.workerCache === undefined ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(opts.workerCache) }),
    // As the image runs every process.
    ...SERVICE_PROCESS_ENV,
  };
  // Workers with Node's options as the compose file starts them.
  const serviceProcess = (role: 'api' | 'worker', processEnv: NodeJS.ProcessEnv, logFile: string) =>
    new ServiceProcess(role, processEnv, logFile, undefined, {
      built: opts.built ?? false,
      nodeArgs: role === 'worker' ? WORKER_NODE_ARGS : [],
    });
  const apiProcess = serviceProcess('api', env, path.join(dir, 'api.log'));
  const workerMetricsPorts: number[] = [];
  for (let i = 0; i < opts.workers; i++) workerMetricsPorts.push(await findFreePort());
  const workers = workerMetricsPorts.map((metricsPort, i) =>
    serviceProcess('worker', { ...env, METRICS_PORT: String(metricsPort) }, path.join(dir, `worker-${i}.log`)),
  );
  await Promise.all([apiProcess.start(), ...workers.map((w) => w.start())]);

  return {
    dir,
    runId,
    temporal,
    client,
    database,
    pool,
    google,
    sandbox,
    api: new ServiceApiClient(`http://127.0.0.1:${port}`, apiKey),
    apiProcess,
    workers,
    metricsUrls: {
      api: `http://127.0.0.1:${port}/metrics`,
      workers: workerMetricsPorts.map((p) => `http://127.0.0.1:${p}/metrics`),
    },
    serviceEnv: env,
    serviceProcess,
    serviceTaskQueue,
    async close() {
      await Promise.all([apiProcess.stop(), ...workers.map((w) => w.stop())]).catch(() => undefined);
      await connection.close().catch(() => undefined);
      await temporal.stop().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await google.close().catch(() => undefined);
      await microsoft.close().catch(() => undefined);
      await database.drop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
