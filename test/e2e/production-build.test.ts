import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GoogleSandboxControl, startGoogleSandbox } from 'calendar-emulators/google';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { createPool } from '../../src/db/pool';
import { aad } from '../../src/db/sealed-columns';
import { tracedBundlePath } from '../../src/telemetry/tracing';
import { findFreePort } from '../../src/net/free-port';
import { connectOAuthUser } from '../../tools/support/connect-oauth-user';
import { ServiceApiClient } from '../../tools/support/service-api-client';
import { createFreshDatabase } from '../../tools/support/test-database';
import { eventually } from '../support/eventually';
import { TEST_CLIENT } from '../support/harness';
import { registerServiceOrigin } from '../support/service-origins';

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');
/** Where nothing of the production build may come from. */
const NOT_SERVICE = /(^|\/)(packages|tools|test|bench|sandbox|dev|chaos)\//;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

let built: { status: number | null; output: string } | undefined;
/** `npm run build`, once for this file's tests (they share dist/). */
function buildOnce(): { status: number | null; output: string } {
  if (!built) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    built = { status: build.status, output: build.stderr + build.stdout };
  }
  return built;
}

/** `node dist/…` in the repository, as the image runs it; status and output once it exits. */
function runBuilt(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [path.join(DIST, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    timeout: 240_000,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

const work = mkdtempSync(path.join(tmpdir(), 'calsync-production-'));
/** Where the image's build step writes the workflow bundle (here: a temp dir). */
const BUNDLE = path.join(work, 'workflow-bundle.js');
let google: Awaited<ReturnType<typeof startGoogleSandbox>>;

beforeAll(async () => {
  google = await startGoogleSandbox({ port: 0, clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret });
});
afterAll(async () => {
  await google?.close();
});

describe('the production build', () => {
  it(
    'holds only the service; its workflow bundle, built ahead, runs a booking in the built service, which loads nothing else',
    { timeout: 420_000 },
    async () => {
      const build = buildOnce();
      expect(build.status, build.output).toBe(0);
      // The image's step: the built service bundles its own workflows, once.
      const bundled = runBuilt('cli/bundle-workflows.js', [BUNDLE]);
      expect(bundled.status, bundled.output).toBe(0);
      expect(existsSync(BUNDLE)).toBe(true);
      // Its traced variant beside it; only that one carries OpenTelemetry, which a worker without tracing never evaluates.
      expect(readFileSync(tracedBundlePath(BUNDLE), 'utf8')).toContain('@opentelemetry/sdk-trace-base');
      expect(readFileSync(BUNDLE, 'utf8')).not.toContain('@opentelemetry/sdk-trace-base');

      const built = filesUnder(DIST);
      expect(built).toContain('main.js');
      expect(built).toContain(path.join('workflows', 'index.js'));
      expect(built.filter((file) => NOT_SERVICE.test(file))).toEqual([]);
      // Every emitted file comes from a service source: nothing from another tree slipped in.
      for (const file of built.filter((f) => f.endsWith('.js')))
        expect(readdirSync(path.join(ROOT, 'src', path.dirname(file)))).toContain(path.basename(file, '.js') + '.ts');

      const port = await findFreePort();
      const apiKey = randomBytes(24).toString('hex');
      const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'calsync-modules-')), 'modules.json');
      const child = spawn(
        process.execPath,
        ['--require', path.join(__dirname, '../support/record-modules.cjs'), path.join(DIST, 'main.js'), 'all'],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH,
            NODE_ENV: 'production',
            RECORD_MODULES_FILE: recordFile,
            DATABASE_URL: inject('databaseUrl'),
            TEMPORAL_ADDRESS: inject('temporalAddress'),
            TEMPORAL_TASK_QUEUE: `production-build-${randomBytes(4).toString('hex')}`,
            WORKFLOW_BUNDLE_PATH: BUNDLE,
            PORT: String(port),
            PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
            API_KEYS: apiKey,
            GOOGLE_CLIENT_ID: TEST_CLIENT.id,
            GOOGLE_CLIENT_SECRET: TEST_CLIENT.secret,
            GOOGLE_AUTH_URL: `${google.url}/o/oauth2/v2/auth`,
            GOOGLE_TOKEN_URL: `${google.url}/token`,
            GOOGLE_REVOKE_URL: `${google.url}/revoke`,
            GOOGLE_API_URL: google.url,
            WEBHOOK_SECRET: randomBytes(24).toString('hex'),
            ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      registerServiceOrigin(`http://127.0.0.1:${port}`);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await eventually(
          async () => {
            if (child.exitCode !== null) throw new Error(`the service exited: ${output}`);
            if (!output.includes('is running (all)')) return undefined;
            return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined;
          },
          'the built service to be ready',
          90_000,
        );
        // The image's HEALTHCHECK finds the API ready.
        expect(runBuilt('cli/healthcheck.js', [], { PORT: String(port) }).status).toBe(0);

        // A booking syncs through the worker that runs the prebuilt bundle.
        const api = new ServiceApiClient(`http://127.0.0.1:${port}`, apiKey);
        const userId = `prod-tutor-${randomBytes(3).toString('hex')}`;
        const calendar = `${userId}@sandbox.test`;
        await connectOAuthUser(api, 'google', userId, calendar);
        const bookingId = `prod-bk-${randomBytes(4).toString('hex')}`;
        const confirmed = await api.operation('confirmBooking', {
          params: { path: { bookingId } },
          body: {
            version: 1,
            title: 'Built lesson',
            start: '2030-06-01T10:00:00Z',
            end: '2030-06-01T11:00:00Z',
            timeZone: 'Europe/Paris',
            participants: [{ userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' }],
          },
        });
        expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(202);
        const events = await eventually(
          async () => {
            const ours = (await new GoogleSandboxControl(google.url).listEvents(calendar)).filter(
              (e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId === bookingId,
            );
            return ours.length > 0 ? ours : undefined;
          },
          'the booking to reach the calendar',
          120_000,
        );
        expect(events.map((e) => e.summary)).toEqual(['Built lesson']);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited, output).toBe(0);
      expect(runBuilt('cli/healthcheck.js', [], { PORT: String(port) }).status).toBe(1);

      const loaded = JSON.parse(readFileSync(recordFile, 'utf8')) as string[];
      // The recorder saw the service itself, its worker and its API.
      expect(loaded).toContain(path.join(DIST, 'main.js'));
      expect(loaded).toContain(path.join(DIST, 'worker.js'));
      expect(loaded).toContain(path.join(DIST, 'api', 'app.js'));
      const fromDist = loaded.filter((file) => file.startsWith(DIST + path.sep));
      const fromPackages = loaded.filter((file) => file.includes(`${path.sep}node_modules${path.sep}`));
      // Nothing from the repository outside dist/ but package.json, which the image ships (the API
      // states its version); the emulators' workspace link would resolve to packages/.
      const allowed = new Set([...fromDist, ...fromPackages, path.join(ROOT, 'package.json')]);
      expect(loaded.filter((file) => !allowed.has(file))).toEqual([]);
      expect(fromDist.filter((file) => NOT_SERVICE.test(path.relative(DIST, file)))).toEqual([]);
      // No TypeScript loader and no emulator through node_modules either.
      expect(fromPackages.filter((file) => /calendar-emulators|[\\/]tsx[\\/]/.test(file))).toEqual([]);
    },
  );

  it('a worker told of a bundle that is not there stops at start and says which variable is wrong', { timeout: 300_000 }, () => {
    const build = buildOnce();
    expect(build.status, build.output).toBe(0);
    const missing = path.join(work, 'no-such-bundle.js');
    const started = runBuilt('main.js', ['worker'], {
      NODE_ENV: 'production',
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      WORKFLOW_BUNDLE_PATH: missing,
      PUBLIC_BASE_URL: 'https://calendar-sync.example.com',
      API_KEYS: randomBytes(24).toString('hex'),
      WEBHOOK_SECRET: randomBytes(24).toString('hex'),
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    });
    expect(started.status).toBe(1);
    expect(started.output).toContain(`WORKFLOW_BUNDLE_PATH: no workflow bundle at ${missing}`);

    // A plain bundle alone, with tracing on: the traced variant it would load is missing.
    const plainOnly = path.join(work, 'plain-only.js');
    writeFileSync(plainOnly, '');
    const traced = runBuilt('main.js', ['worker'], {
      NODE_ENV: 'production',
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      WORKFLOW_BUNDLE_PATH: plainOnly,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      PUBLIC_BASE_URL: 'https://calendar-sync.example.com',
      API_KEYS: randomBytes(24).toString('hex'),
      WEBHOOK_SECRET: randomBytes(24).toString('hex'),
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    });
    expect(traced.status).toBe(1);
    expect(traced.output).toContain(`no traced workflow bundle at ${tracedBundlePath(plainOnly)}`);
  });

  it(
    'runs migrate and keys reencrypt as commands of the built service (the calsync bin), with only the variables they need',
    { timeout: 300_000 },
    async () => {
      const build = buildOnce();
      expect(build.status, build.output).toBe(0);
      const db = await createFreshDatabase({ prefix: 'calsync_jobs', log: () => undefined });
      onTestFinished(() => db.drop());
      const run = (args: string[], env: Record<string, string>) =>
        spawnSync(process.execPath, [path.join(DIST, 'main.js'), ...args], {
          cwd: ROOT,
          env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: db.url, ...env },
          encoding: 'utf8',
          timeout: 60_000,
        });

      // An empty database gets every migration, once.
      const migrations = readdirSync(path.join(ROOT, 'migrations'))
        .filter((f) => f.endsWith('.sql'))
        .sort();
      const first = run(['migrate', '--json'], {});
      expect(first.status, first.stderr).toBe(0);
      expect((JSON.parse(first.stdout) as { applied: string[] }).applied).toEqual(migrations);
      // The package's bin (`calsync`) is a launcher of the built service: the same commands, text for a person.
      const second = spawnSync(process.execPath, [path.join(ROOT, 'bin/calsync.cjs'), 'migrate'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: db.url },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toBe('The database is up to date: no migration was pending.\n');
      const bin = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      expect(bin.bin).toEqual({ calsync: 'bin/calsync.cjs' });

      // A secret sealed under the old key is re-sealed under the key now first, and still opens to what was stored.
      const oldKey = `old_1:${randomBytes(32).toString('hex')}`;
      const newKey = `new_1:${randomBytes(32).toString('hex')}`;
      const keyOf = (spec: string) => ({ id: spec.split(':')[0]!, key: Buffer.from(spec.split(':')[1]!, 'hex') });
      const pool = createPool(db.url, 2);
      onTestFinished(() => pool.end());
      const password = `app-${randomBytes(8).toString('hex')}`;
      const { account } = await new PgCalendarAccountStore(pool, new SecretBox([keyOf(oldKey)])).upsertCalDav({
        userId: 'user-1',
        provider: 'caldav',
        serverUrl: 'https://caldav.invalid/',
        calendarUrl: 'https://caldav.invalid/calendars/x/',
        username: 'someone@caldav.test',
        password,
      });
      const reencrypt = run(['keys', 'reencrypt', '--json'], { ENCRYPTION_KEYS: `${newKey},${oldKey}` });
      expect(reencrypt.status, reencrypt.stderr).toBe(0);
      expect(JSON.parse(reencrypt.stdout)).toMatchObject({ keyId: 'new_1', connections: { reencrypted: 1, current: 1 }, failed: [] });
      const row = await pool.query<{ password_enc: string }>('SELECT password_enc FROM calendar_connections WHERE id = $1', [account.id]);
      expect(SecretBox.keyIdOf(row.rows[0]!.password_enc)).toBe('new_1');
      expect(new SecretBox([keyOf(newKey)]).open(row.rows[0]!.password_enc, aad('password', account.id))).toBe(password);

      // Without the key a row is sealed under: exit 1, the connection named, nothing secret printed.
      const stranger = run(['reencrypt', '--json'], { ENCRYPTION_KEYS: `other:${randomBytes(32).toString('hex')}` });
      expect(stranger.status).toBe(1);
      expect(JSON.parse(stranger.stdout)).toMatchObject({ failed: [{ connectionId: account.id }] });
      expect(stranger.stdout).not.toContain(password);

      // A missing variable or an unknown command is the operator's mistake, said as such.
      const noKeys = run(['reencrypt'], {});
      expect(noKeys.status).toBe(1);
      expect(noKeys.stderr).toContain('ENCRYPTION_KEYS');
      const devKey = run(['reencrypt'], { ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('hex')}` });
      expect(devKey.status).toBe(1);
      expect(devKey.stderr).toContain('development keys');
      const unknown = run(['reencrypt-all'], {});
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain('unknown command "reencrypt-all"');
    },
  );
});
