import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { findFreePort } from '../../src/net/free-port';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { ensureTemporalCli } from '../../tools/dev/temporal-cli';
import { SERVICE_PROCESS_ENV, WORKER_NODE_ARGS } from '../../tools/support/service-runtime';
import { ensureComposeCheck, loadCompose, type ComposeProject, type ComposeService } from '../../tools/support/compose-check';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const SETUP_SCRIPT = path.join(ROOT, 'deploy/compose/temporal-setup.sh');
const log = (line: string) => process.stderr.write(`[compose test] ${line}\n`);
const run = promisify(execFile);

let loader: string;
let dir: string;

beforeAll(async () => {
  loader = await ensureComposeCheck({ log });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-compose-'));
}, 1_200_000);

const secret = () => randomBytes(24).toString('hex');

/** What an operator's .env holds: every required variable, fresh secrets. */
function operatorEnv(): Record<string, string> {
  return {
    PUBLIC_BASE_URL: 'https://calendar-sync.example.com',
    API_KEYS: `${secret()},${secret()}`,
    CODEC_API_KEY: secret(),
    WEBHOOK_SECRET: secret(),
    ENCRYPTION_KEYS: `k2:${randomBytes(32).toString('hex')},k1:${randomBytes(32).toString('hex')}`,
    POSTGRES_PASSWORD: secret(),
    CALSYNC_DB_PASSWORD: secret(),
    TEMPORAL_DB_PASSWORD: secret(),
    GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com',
    GOOGLE_CLIENT_SECRET: secret(),
  };
}

function writeEnvFile(vars: Record<string, string>): string {
  const file = path.join(dir, `${randomBytes(4).toString('hex')}.env`);
  fs.writeFileSync(
    file,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  return file;
}

async function load(vars: Record<string, string>, composeFile = COMPOSE_FILE): Promise<ComposeProject> {
  const loaded = await loadCompose(loader, composeFile, writeEnvFile(vars));
  if (!loaded.ok) throw new Error(`the compose file was refused: ${loaded.error}`);
  return loaded.project;
}

/** The environment compose gives a service's process (a variable without a value is not set). */
function environmentOf(service: ComposeService | undefined): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(service?.environment ?? {}).filter((e): e is [string, string] => e[1] !== null));
}

describe('docker-compose.yml, read by the Compose Specification loader (compose-go)', () => {
  it('loads, and the service accepts the configuration compose gives the api and the worker', async () => {
    const vars = operatorEnv();
    const { services } = await load(vars);

    expect(services.api?.command).toEqual(['node', 'dist/main.js', 'api']);
    // As the bench and the chaos run start workers (tools/support/service-runtime.ts), and the image's environment.
    expect(services.worker?.command).toEqual(['node', ...WORKER_NODE_ARGS, 'dist/main.js', 'worker']);
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    for (const [name, value] of Object.entries(SERVICE_PROCESS_ENV)) expect(dockerfile).toMatch(new RegExp(`^\\s+${name}=${value}$`, 'm'));
    expect(services.worker?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.api?.image).toBe(services.worker?.image);
    for (const role of ['api', 'worker'] as const) {
      const env = environmentOf(services[role]);
      const config = loadConfig(env); // throws ConfigError with every problem
      expect(config.nodeEnv).toBe('production');
      expect(config.apiKeys).toEqual(vars.API_KEYS!.split(','));
      expect(config.codecApiKeys).toEqual([vars.CODEC_API_KEY]);
      expect(config.encryptionKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
      expect(new URL(config.databaseUrl!).username).toBe('calsync');
      expect(config.temporal.address).toBe('temporal:7233');
    }
    expect(loadConfig(environmentOf(services.worker)).metricsPort).toBe(9464);
  });

  it('runs Temporal on temporalio/server in a database of its own, set up by admin-tools jobs the service waits for', async () => {
    const { services } = await load(operatorEnv());
    const images = Object.values(services).map((s) => s.image ?? '');
    expect(images.filter((i) => i.includes('auto-setup'))).toEqual([]);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-setup']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.temporal?.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    for (const role of ['api', 'worker'])
      expect(services[role]?.depends_on?.['temporal-setup']?.condition).toBe('service_completed_successfully');

    // Temporal's role is not the service's.
    const temporalEnv = environmentOf(services.temporal);
    expect(temporalEnv.POSTGRES_USER).toBe('temporal');
    expect(new URL(environmentOf(services.api).DATABASE_URL!).username).not.toBe(temporalEnv.POSTGRES_USER);

    // Every file compose mounts is in the repository.
    for (const service of Object.values(services))
      for (const volume of service.volumes ?? [])
        if (volume.type === 'bind') expect(fs.existsSync(volume.source!), volume.source).toBe(true);
    // No error is hidden.
    const setupFiles = [
      COMPOSE_FILE,
      ...fs.readdirSync(path.join(ROOT, 'deploy/compose')).map((f) => path.join(ROOT, 'deploy/compose', f)),
    ];
    for (const file of setupFiles) expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/\|\|\s*(true|:)\b/);
  });

  it('publishes nothing beyond 127.0.0.1, and the Web UI is read-only and decodes through the keyed proxy', async () => {
    const { services } = await load(operatorEnv());
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, hostIp: p.host_ip })));
    expect(published.map((p) => p.name).sort()).toEqual(['api', 'temporal-web']);
    expect(published.filter((p) => p.hostIp !== '127.0.0.1')).toEqual([]);

    const ui = environmentOf(services['temporal-ui']);
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:8233/codec');
    expect(services['temporal-ui']?.ports ?? []).toEqual([]);
    // The proxy holds the codec key, which the service accepts for /codec only.
    const proxyKey = environmentOf(services['temporal-web']).CODEC_API_KEY;
    expect(loadConfig(environmentOf(services.api)).codecApiKeys).toEqual([proxyKey]);
    expect(loadConfig(environmentOf(services.api)).apiKeys).not.toContain(proxyKey);
  });

  it('refuses a file the specification does not allow, and a missing secret, naming what is wrong', async () => {
    const broken = path.join(dir, 'broken-compose.yml');
    // A misspelt key, as `docker compose` itself would refuse it.
    fs.writeFileSync(
      broken,
      fs
        .readFileSync(COMPOSE_FILE, 'utf8')
        .replace("command: ['node', '--max-old-space-size=256', 'dist/main.js', 'worker']", "comand: ['node', 'dist/main.js', 'worker']"),
    );
    const typo = await loadCompose(loader, broken, writeEnvFile(operatorEnv()));
    expect(typo.ok).toBe(false);
    expect(typo.ok ? '' : typo.error).toMatch(/comand/);

    const { ENCRYPTION_KEYS: _left, ...withoutKeys } = operatorEnv();
    const missing = await loadCompose(loader, COMPOSE_FILE, writeEnvFile(withoutKeys));
    expect(missing.ok).toBe(false);
    expect(missing.ok ? '' : missing.error).toMatch(/ENCRYPTION_KEYS/);
  });

  it('hands a weak secret through to the service, whose validator then refuses to start', async () => {
    const { services } = await load({ ...operatorEnv(), API_KEYS: 'short' });
    expect(() => loadConfig(environmentOf(services.api))).toThrow(ConfigError);
    expect(() => loadConfig(environmentOf(services.api))).toThrow(/API_KEYS/);
  });
});

describe("compose's temporal-setup job (deploy/compose/temporal-setup.sh)", () => {
  let temporalPath: string;
  beforeAll(async () => {
    temporalPath = path.dirname(await ensureTemporalCli({ log }));
  });

  async function setup(env: Record<string, string>): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await run('sh', [SETUP_SCRIPT], {
        env: {
          PATH: `${temporalPath}${path.delimiter}${process.env.PATH ?? ''}`,
          // The CLI reads its config file from HOME, as in the admin-tools image.
          HOME: process.env.HOME,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_WAIT_SECONDS: '30',
          ...env,
        },
        timeout: 120_000,
      });
      return { code: 0, output: stdout + stderr };
    } catch (err) {
      const failed = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
    }
  }

  async function withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await Connection.connect({ address: inject('temporalAddress') });
    try {
      return await fn(conn);
    } finally {
      await conn.close();
    }
  }

  it('creates the namespace with exactly the search attributes the workflows set, and a second run changes nothing', async () => {
    const namespace = `compose-${randomBytes(4).toString('hex')}`;
    const first = await setup({ TEMPORAL_NAMESPACE: namespace });
    expect(first.code, first.output).toBe(0);

    const custom = await withConnection(async (conn) => {
      const res = await conn.operatorService.listSearchAttributes({ namespace });
      return Object.fromEntries(Object.entries(res.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
    });
    // IndexedValueType: KEYWORD = 2, KEYWORD_LIST = 7.
    const expected = Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, type === 'KeywordList' ? 7 : 2]));
    expect(custom).toEqual(expected);

    const again = await setup({ TEMPORAL_NAMESPACE: namespace });
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(`namespace ${namespace}: already there`);
  });

  it('fails on a real error: an attribute registered with another type, or no server', async () => {
    const clash = `compose-int-${randomBytes(4).toString('hex')}`;
    const cli = path.join(temporalPath, 'temporal');
    const address = ['--address', inject('temporalAddress')];
    await run(cli, ['operator', 'namespace', 'create', '--namespace', clash, ...address]);
    await run(cli, ['operator', 'search-attribute', 'create', '--namespace', clash, '--name', 'SyncState', '--type', 'Int', ...address]);
    const failed = await setup({ TEMPORAL_NAMESPACE: clash });
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/SyncState.*failed/);
    expect(failed.output).toMatch(/different type/);

    const nowhere = await setup({ TEMPORAL_ADDRESS: `127.0.0.1:${await findFreePort()}`, TEMPORAL_WAIT_SECONDS: '0' });
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.output).toMatch(/is not serving/);
  });
});
