import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { ensureDevSecrets } from './dev/dev-secrets';
import { startDevServer, type DevServer } from './dev/dev-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './dev/embedded-postgres';
import { ensureTemporalCli } from './dev/temporal-cli';
import { createLogger } from './logging';
import { startGoogleSandbox, type RunningGoogleSandbox } from './sandbox/google';
import { startMicrosoftSandbox } from './sandbox/microsoft';
import { startService } from './service';
import { SEARCH_ATTRIBUTES } from './workflows/search-attributes';

/**
 * `npm start`: the whole service in one command. In development it also brings up what is
 * missing: generated secrets under .data/, a Temporal dev server with its Web UI (persistent
 * SQLite file), an embedded PostgreSQL when DATABASE_URL is unset, and the Google and Microsoft
 * sandbox emulators when no credentials for them are configured. In production it only runs the service
 * (`api`, `worker`, or both) against the configured infrastructure.
 */

type Role = 'all' | 'api' | 'worker';

const DATA_DIR = path.resolve(process.env.DATA_DIR ?? '.data');
const SANDBOX_CLIENT = { id: 'sandbox-client-id.apps.sandbox', secret: 'sandbox-client-secret' };
const say = (line: string) => process.stderr.write(`${line}\n`);

function parseRole(arg: string | undefined): Role {
  if (arg === undefined || arg === 'all' || arg === 'api' || arg === 'worker') return arg ?? 'all';
  say(`Unknown role "${arg}": use all (default), api or worker.`);
  process.exit(2);
}

async function main(): Promise<void> {
  const role = parseRole(process.argv[2]);
  const env: NodeJS.ProcessEnv = { ...process.env };
  const development = env.NODE_ENV !== 'production';
  const cleanups: Array<() => Promise<void>> = [];
  const notes: string[] = [];

  if (development) {
    const secrets = ensureDevSecrets(DATA_DIR);
    if (!env.API_KEYS) {
      env.API_KEYS = secrets.apiKey;
      notes.push(`API key:         ${secrets.files.apiKey}  (use: Authorization: Bearer $(cat ${path.relative(process.cwd(), secrets.files.apiKey)}))`);
    }
    if (!env.WEBHOOK_SECRET) {
      env.WEBHOOK_SECRET = secrets.webhookSecret;
      notes.push(`Webhook secret:  ${secrets.files.webhookSecret}`);
    }
    if (!env.ENCRYPTION_KEYS) {
      env.ENCRYPTION_KEYS = secrets.encryptionKeys;
      notes.push(`Encryption key:  ${secrets.files.encryptionKeys}`);
    }
  }

  let devServer: DevServer | undefined;
  if (development && !env.TEMPORAL_ADDRESS) {
    const binary = await ensureTemporalCli({ log: say });
    devServer = await startDevServer({
      binary,
      dbFile: path.join(DATA_DIR, 'temporal.db'),
      port: 7233,
      uiPort: 8233,
      // The Web UI decrypts payloads through this service's codec server.
      uiCodecEndpoint: `http://localhost:${env.PORT ?? 3000}/codec`,
      searchAttributes: { ...SEARCH_ATTRIBUTES },
      log: say,
    });
    cleanups.push(() => devServer!.stop());
    env.TEMPORAL_ADDRESS = devServer.address;
    if (devServer.uiUrl) notes.push(`Temporal Web UI: ${devServer.uiUrl}`);
  }

  let embedded: EmbeddedPostgres | undefined;
  if (development && !env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), log: say });
    cleanups.push(() => embedded!.stop());
    env.DATABASE_URL = embedded.url;
    notes.push(`Database:        embedded PostgreSQL in ${path.join(DATA_DIR, 'postgres')} (${embedded.url})`);
  }

  let sandbox: RunningGoogleSandbox | undefined;
  if (development && !env.GOOGLE_CLIENT_ID) {
    sandbox = await startGoogleSandbox({
      port: Number(env.SANDBOX_GOOGLE_PORT ?? 3010),
      clientId: SANDBOX_CLIENT.id,
      clientSecret: SANDBOX_CLIENT.secret,
    });
    cleanups.push(() => sandbox!.close());
    Object.assign(env, {
      GOOGLE_CLIENT_ID: SANDBOX_CLIENT.id,
      GOOGLE_CLIENT_SECRET: SANDBOX_CLIENT.secret,
      GOOGLE_AUTH_URL: `${sandbox.url}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${sandbox.url}/token`,
      GOOGLE_REVOKE_URL: `${sandbox.url}/revoke`,
      GOOGLE_API_URL: sandbox.url,
    });
    // The sandboxes call http addresses too, so push works locally: user changes arrive at once.
    env.PUSH_NOTIFICATIONS ??= 'on';
    notes.push(`Google sandbox:  ${sandbox.url}  (calendars: ${sandbox.url}/sandbox/accounts/<email>/events)`);
  }

  if (development && !env.MICROSOFT_CLIENT_ID) {
    const microsoft = await startMicrosoftSandbox({
      port: Number(env.SANDBOX_MICROSOFT_PORT ?? 3011),
      clientId: SANDBOX_CLIENT.id,
      clientSecret: SANDBOX_CLIENT.secret,
    });
    cleanups.push(() => microsoft.close());
    Object.assign(env, {
      MICROSOFT_CLIENT_ID: SANDBOX_CLIENT.id,
      MICROSOFT_CLIENT_SECRET: SANDBOX_CLIENT.secret,
      MICROSOFT_LOGIN_URL: microsoft.url,
      MICROSOFT_GRAPH_URL: `${microsoft.url}/v1.0`,
    });
    notes.push(`Microsoft sandbox: ${microsoft.url}  (sign-in, Graph /me and calendars; events: ${microsoft.url}/sandbox/accounts/<email>/events)`);
  }

  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const pool = createPool(config.databaseUrl ?? '', embedded?.maxConnections ?? 10);
  const applied = await migrate(pool);
  if (applied.length > 0) logger.info({ applied }, 'database migrations applied');

  const service = await startService({
    config,
    pool,
    logger,
    api: role !== 'worker',
    worker: role !== 'api',
    // A workflow bundle built ahead (`bundleWorkflowCode`) saves the worker its start-up bundling.
    ...(env.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: path.resolve(env.WORKFLOW_BUNDLE_PATH) } } : {}),
  });

  say('');
  say(`Booking calendar sync is running (${role}).`);
  if (service.url) say(`API:             http://localhost:${config.port}`);
  for (const n of notes) say(n);
  say('');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await service.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) say(err.message);
  else say(`Failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
