import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { GoogleSandboxControl, startGoogleSandbox, type RunningGoogleSandbox } from 'calendar-emulators/google';
import { Client, type Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usableCredentials } from '../../src/account-access/token-refresh';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/crypto/secret-box';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { createLogger } from '../../src/logging';
import { createProviderRegistry } from '../../src/providers';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../tools/dev/embedded-postgres';

/**
 * What `npm start`'s embedded default must share with production PostgreSQL: concurrent sessions
 * that really contend on the per-account lock, so an expired token is refreshed once however many
 * operations need it at the same moment.
 */

const CLIENT = { id: 'embedded-test-client.apps.sandbox', secret: 'embedded-test-secret' };
const REDIRECT = 'http://127.0.0.1/callback';
const OPERATIONS = 20;

describe('the embedded default under concurrent token refreshes', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let pool: Pool;
  let google: RunningGoogleSandbox;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-pg-refresh-'));
    pg = await startEmbeddedPostgres({ dataDir: dir, log: () => undefined });
    // Several connections, as `npm start` gives the service (the pool's default size).
    pool = createPool(pg.url);
    await migrate(pool);
    google = await startGoogleSandbox({ port: 0, clientId: CLIENT.id, clientSecret: CLIENT.secret });
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await google?.close();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(`${OPERATIONS} concurrent operations on an expired token cause exactly one refresh`, async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: pg.url,
      API_KEYS: `test_${randomBytes(24).toString('base64url')}`,
      WEBHOOK_SECRET: randomBytes(24).toString('hex'),
      ENCRYPTION_KEYS: `test1:${randomBytes(32).toString('hex')}`,
      GOOGLE_CLIENT_ID: CLIENT.id,
      GOOGLE_CLIENT_SECRET: CLIENT.secret,
      GOOGLE_AUTH_URL: `${google.url}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${google.url}/token`,
      GOOGLE_REVOKE_URL: `${google.url}/revoke`,
      GOOGLE_API_URL: google.url,
    });
    const quiet = new Writable({ write: (_chunk, _enc, cb) => cb() });
    const providers = createProviderRegistry(config);
    const calendarAccounts = new PgCalendarAccountStore(pool, new SecretBox(config.encryptionKeys));
    const deps = { calendarAccounts, providers, logger: createLogger('error', quiet) };

    // A Google account connected with offline access, its access token since expired.
    const control = new GoogleSandboxControl(google.url);
    const email = `refresh-${randomBytes(4).toString('hex')}@sandbox.test`;
    await control.createAccount(email);
    const { code } = await control.authorize({ email, clientId: CLIENT.id, redirectUri: REDIRECT, accessType: 'offline' });
    const tokens = await providers.oauth('google').exchangeCode({ code, redirectUri: REDIRECT });
    expect(tokens.refreshToken).toBeTruthy();
    const { account } = await calendarAccounts.upsertOAuth({
      userId: `user-${email}`,
      provider: 'google',
      calendarId: 'primary',
      accountEmail: email,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(Date.now() - 60_000),
    });
    await control.expireAccessTokens(email);
    // A slow token endpoint keeps the lock held long enough for the other sessions to pile up on it.
    await control.addFault({ path: '/token', latencyMs: 500, times: 'always' });

    // Watch the server from a session of its own: how many backends wait on an advisory lock at once.
    const watcher = new Client({ connectionString: pg.url });
    await watcher.connect();
    let maxWaiting = 0;
    let watching = true;
    const watching$ = (async () => {
      while (watching) {
        const { rows } = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'`,
        );
        maxWaiting = Math.max(maxWaiting, rows[0]?.n ?? 0);
      }
    })();

    let credentials;
    try {
      credentials = await Promise.all(Array.from({ length: OPERATIONS }, () => usableCredentials(deps, account.id)));
    } finally {
      watching = false;
      await watching$;
      await watcher.end();
    }

    const stats = await control.stats();
    expect(stats.byAccount[email]?.tokenRefreshes).toBe(1);
    // Every operation got the one new token.
    const accessTokens = new Set(credentials.map((c) => (c.kind === 'bearer' ? c.accessToken : c.kind)));
    expect(accessTokens.size).toBe(1);
    expect(accessTokens.has(tokens.accessToken)).toBe(false);
    // The lock, not the server, serialised them: several sessions were waiting on it together.
    expect(maxWaiting).toBeGreaterThanOrEqual(2);
    const stored = await calendarAccounts.get(account.id);
    expect(stored?.tokenVersion).toBe(account.tokenVersion + 1);
  }, 60_000);
});
