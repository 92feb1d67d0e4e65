import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../support/radicale';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { findFreePort } from '../dev/ports';
import { writeWorkflowBundles } from '../../src/temporal/workflow-bundles';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { createFreshDatabase, DEFAULT_ADMIN_URL, type FreshDatabase } from '../support/test-database';
import { startGoogleSandbox, type RunningGoogleSandbox } from 'calendar-emulators/google';
import { startMicrosoftSandbox, type RunningMicrosoftSandbox } from 'calendar-emulators/microsoft';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { startCalDavFaultProxy, type CalDavFaultProxy } from './caldav-fault-proxy';

export const SANDBOX_CLIENT = { id: 'chaos-client.apps.sandbox', secret: 'chaos-client-secret' };

export interface CalDavAccount {
  username: string;
  password: string;
}

/**
 * Everything a chaos run needs besides the service: a Temporal dev server on a persistent
 * SQLite file (so it can be restarted mid-run), a fresh PostgreSQL database, the Google and
 * Microsoft emulators, Radicale behind a faulty proxy, and the workflow bundle built once.
 */
export interface ChaosEnvironment {
  dir: string;
  temporalAddress: string;
  database: FreshDatabase;
  google: RunningGoogleSandbox;
  microsoft: RunningMicrosoftSandbox;
  radicale: RadicaleServer;
  caldavProxy: CalDavFaultProxy;
  caldavAccounts: CalDavAccount[];
  workflowBundlePath: string;
  /** Kills the Temporal server (SIGKILL) and starts it again on the same port and file. */
  restartTemporal(): Promise<void>;
  /** Terminates every open connection to the run's database (what a failover or a DBA does). */
  dropDatabaseConnections(): Promise<void>;
  close(): Promise<void>;
}

export async function startChaosEnvironment(opts: {
  caldavUsers: number;
  faultRate: number;
  seed: number;
  log: (l: string) => void;
}): Promise<ChaosEnvironment> {
  const dir = await mkdtemp(path.join(tmpdir(), 'calsync-chaos-'));
  const binary = await ensureTemporalCli({ log: opts.log });
  const port = await findFreePort();
  const serverOptions = {
    binary,
    dbFile: path.join(dir, 'temporal.db'),
    port,
    headless: true,
    searchAttributes: { ...SEARCH_ATTRIBUTES },
    log: opts.log,
  };
  let server: DevServer = await startDevServer(serverOptions);

  const database = await createFreshDatabase({ prefix: 'calsync_chaos' });
  const pool = createPool(database.url, 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }

  const google = await startGoogleSandbox({ port: 0, clientId: SANDBOX_CLIENT.id, clientSecret: SANDBOX_CLIENT.secret });
  const microsoft = await startMicrosoftSandbox({ port: 0, clientId: SANDBOX_CLIENT.id, clientSecret: SANDBOX_CLIENT.secret });

  await ensureRadicale(opts.log);
  const users = Array.from({ length: opts.caldavUsers }, (_, i) => ({ username: `chaos${i}`, password: randomBytes(12).toString('hex') }));
  const radicale = await startRadicale({ users, log: () => undefined });
  const caldavAccounts: CalDavAccount[] = [];
  for (const u of users) {
    await createCalendar(radicale.url, u.username, u.password, { slug: 'lessons', displayName: 'Lessons' });
    caldavAccounts.push(u);
  }
  const caldavProxy = await startCalDavFaultProxy(radicale.url, opts.faultRate, opts.seed ^ 0xca1da5);

  const workflowBundlePath = await writeWorkflowBundles({ file: path.join(dir, 'workflows.js'), log: opts.log });

  return {
    dir,
    temporalAddress: server.address,
    database,
    google,
    microsoft,
    radicale,
    caldavProxy,
    caldavAccounts,
    workflowBundlePath,
    async restartTemporal() {
      process.kill(server.pid, 'SIGKILL');
      await server.stop().catch(() => undefined);
      server = await startDevServer(serverOptions);
    },
    async dropDatabaseConnections() {
      const admin = createPool(process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL, 1);
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          database.name,
        ]);
      } finally {
        await admin.end();
      }
    },
    async close() {
      await server.stop().catch(() => undefined);
      await caldavProxy.close();
      await radicale.stop().catch(() => undefined);
      await google.close();
      await microsoft.close();
      await database.drop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
