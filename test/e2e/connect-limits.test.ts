import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeConnectLink, redirectOf } from 'calendar-emulators/consent-client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/api/errors';
import { rateLimiter } from '../../src/api/http-hardening';
import { opsRoutes } from '../../src/api/routes/ops';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/crypto/secret-box';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { PgOAuthFlowStore } from '../../src/db/oauth-flows';
import { createLogger } from '../../src/logging';
import { findFreePort } from '../../src/net/free-port';
import { startHarness, type Harness } from '../support/harness';

const RETURN_URL = 'https://booking.example.com/connected';
let h: Harness;
let metricsPort: number;
beforeAll(async () => {
  metricsPort = await findFreePort();
  h = await startHarness({ METRICS_PORT: String(metricsPort) });
}, 600_000);
afterAll(async () => {
  await h?.close();
});

interface ErrorBody {
  code: string;
  detail: string;
}

const caldavBody = (username: string) => ({
  provider: 'caldav',
  // Nothing listens here: a refusal by a limit must come before any request to the server.
  serverUrl: 'http://127.0.0.1:9/dav/',
  username,
  password: 'app-password',
});

/** Starts a connect link for the user and follows it through the sandbox's consent as `email`. */
async function connectThroughLink(userId: string, email: string): Promise<URL> {
  const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/connect-links`, { provider: 'google', returnUrl: RETURN_URL });
  expect(link.status).toBe(201);
  const back = await completeConnectLink(link.body.url, email);
  expect(back.location).not.toBeNull();
  return new URL(back.location!);
}

async function liveConnections(userId: string): Promise<Array<{ id: string; accountEmail: string; status: string }>> {
  const list = await h.api<{ connections: Array<{ id: string; accountEmail: string; status: string }> }>(
    'GET',
    `/v1/users/${userId}/connections`,
  );
  return list.body.connections.filter((c) => c.status !== 'disconnected');
}

/** A tiny HTTP server on a free loopback port for `app`; closed with the returned function. */
async function serveApp(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('calendar accounts per user', () => {
  it('refuses the 11th account (OAuth: connection_limit_reached; CalDAV: 409), but a reconnect of one of the ten goes through', async () => {
    const userId = h.id('many');
    const emails = Array.from({ length: 10 }, (_, i) => `${userId}-${i}@example.com`);
    for (const email of emails) await h.connectGoogle(userId, email);
    expect(await liveConnections(userId)).toHaveLength(10);

    const eleventh = await connectThroughLink(userId, `${userId}-10@example.com`);
    expect(eleventh.searchParams.get('status')).toBe('error');
    expect(eleventh.searchParams.get('error')).toBe('connection_limit_reached');

    const caldav = await h.api<ErrorBody>('POST', `/v1/users/${userId}/connections`, caldavBody('someone'));
    expect(caldav.status).toBe(409);
    expect(caldav.body.code).toBe('connection_limit_reached');
    expect(caldav.body.detail).toContain('10 connected calendars');

    const again = await connectThroughLink(userId, emails[3]!);
    expect(again.searchParams.get('status')).toBe('connected');
    const live = await liveConnections(userId);
    expect(live).toHaveLength(10);
    expect(live.map((c) => c.accountEmail).sort()).toEqual([...emails].sort());
  });

  it('lets concurrent connects of different accounts and providers store no more than the limit', async () => {
    const store = new PgCalendarAccountStore(h.pool, new SecretBox(h.config.encryptionKeys));
    const userId = h.id('race');
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0
          ? store.upsertOAuth(
              {
                userId,
                provider: i % 4 === 0 ? 'google' : 'microsoft',
                calendarId: 'primary',
                accountEmail: `${userId}-${i}@example.com`,
                accessToken: 'at',
                refreshToken: 'rt',
                expiresAt: new Date(Date.now() + 3_600_000),
              },
              { maxActive: 5 },
            )
          : store.upsertCalDav(
              {
                userId,
                provider: 'caldav',
                serverUrl: 'https://dav.example.com/',
                calendarUrl: 'https://dav.example.com/cal/',
                username: `${userId}-${i}`,
                password: 'pw',
              },
              { maxActive: 5 },
            ),
      ),
    );
    expect(results.filter((r) => 'account' in r)).toHaveLength(5);
    expect(results.filter((r) => 'limitReached' in r)).toHaveLength(11);
    const { rows } = await h.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM calendar_connections WHERE user_id = $1 AND status <> 'disconnected'`,
      [userId],
    );
    expect(Number(rows[0]!.n)).toBe(5);
  });
});

describe('connect attempts per user per hour', () => {
  it('counts connect links and CalDAV verifications: the 21st is refused with 429 and Retry-After, other users are not', async () => {
    const userId = h.id('attempts');
    // Twenty at once: the count is shared and serialised per user, so none slips past it.
    const links = await Promise.all(
      Array.from({ length: 24 }, () => h.api<ErrorBody>('POST', `/v1/users/${userId}/connect-links`, { provider: 'google' })),
    );
    expect(links.filter((r) => r.status === 201)).toHaveLength(20);
    const refused = links.filter((r) => r.status === 429);
    expect(refused).toHaveLength(4);
    expect(refused.every((r) => r.body.code === 'too_many_connect_attempts')).toBe(true);

    const raw = await fetch(`${h.service.url}/v1/users/${userId}/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.config.apiKeys[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify(caldavBody('someone')),
    });
    expect(raw.status).toBe(429);
    const retryAfter = Number(raw.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3_000);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    const body = (await raw.json()) as ErrorBody;
    expect(body.code).toBe('too_many_connect_attempts');
    expect(body.detail).toMatch(/Try again in \d+ minutes/);

    // The settings page says so in words.
    // The link is exchanged for a session cookie; the form is posted from the page's own origin.
    const settings = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const opened = await redirectOf(settings.body.url);
    expect(opened.cookie).toContain('__Host-settings-session=');
    const connect = await fetch(`${h.config.publicBaseUrl}/settings/connect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: opened.cookie,
        'sec-fetch-site': 'same-origin',
      },
      body: 'provider=google',
      redirect: 'manual',
    });
    expect(connect.status).toBe(303);
    const back = await fetch(new URL(connect.headers.get('location')!, h.config.publicBaseUrl), { headers: { cookie: opened.cookie } });
    expect(await back.text()).toContain('Too many attempts to connect a calendar in the last hour');

    expect((await h.api('POST', `/v1/users/${h.id('other')}/connect-links`, { provider: 'google' })).status).toBe(201);
  });
});

describe('connect flows', () => {
  it('are purged a day after they expire', async () => {
    const flows = new PgOAuthFlowStore(h.pool, new SecretBox(h.config.encryptionKeys));
    const userId = h.id('flows');
    const old = await flows.create({ userId, provider: 'google', ttlMs: 60_000 });
    const recent = await flows.create({ userId, provider: 'google', ttlMs: 60_000 });
    await h.pool.query(`UPDATE oauth_flows SET expires_at = now() - interval '25 hours' WHERE id = $1`, [old.id]);
    await h.pool.query(`UPDATE oauth_flows SET expires_at = now() - interval '23 hours' WHERE id = $1`, [recent.id]);
    expect(await flows.purgeExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await h.pool.query<{ id: string }>('SELECT id FROM oauth_flows WHERE user_id = $1', [userId]);
    expect(rows.map((r) => r.id)).toEqual([recent.id]);
  });
});

describe('operational endpoints', () => {
  it('serve /metrics, /readyz and /healthz on METRICS_PORT in a process that also runs the API', async () => {
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('calsync_open_bookings');
    const ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { worker?: string } }).checks.worker).toBe('running');
    // Only the operational routes live there.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/bookings/x`)).status).toBe(404);
  });

  it('serve /metrics on the API port only with METRICS_KEY when it is set', async () => {
    const app = express();
    app.use(
      opsRoutes({ ping: () => Promise.resolve() }, { ping: () => Promise.resolve() }, undefined, {
        kind: 'key',
        key: 'metrics-key-of-thirty-characters',
      }),
    );
    app.use(errorHandler(createLogger('silent'), 'http://localhost'));
    const served = await serveApp(app);
    try {
      expect((await fetch(`${served.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${served.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${served.url}/metrics`, { headers: { authorization: 'Bearer metrics-key-of-thirty-characters' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('calsync_');
      expect((await fetch(`${served.url}/readyz`)).status).toBe(200);
    } finally {
      await served.close();
    }
  });
});

describe('TRUST_PROXY with a hop count', () => {
  it('keys the rate limit by the address the trusted proxy saw, whatever the client put in X-Forwarded-For', async () => {
    const config = loadConfig({ NODE_ENV: 'production', ...productionSecrets(), TRUST_PROXY: '1' });
    const app = express();
    app.set('trust proxy', config.trustProxy);
    app.use(rateLimiter(3, []));
    app.get('/page', (req, res) => res.json({ ip: req.ip }));
    app.use(errorHandler(createLogger('silent'), 'http://localhost'));
    const served = await serveApp(app);
    try {
      // The proxy appends the address it saw (203.0.113.7); the client forges the rest.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${served.url}/page`, { headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` } });
        statuses.push(res.status);
        if (res.status === 200) expect(((await res.json()) as { ip: string }).ip).toBe('203.0.113.7');
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Another client behind the same proxy has its own budget.
      expect((await fetch(`${served.url}/page`, { headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(200);
    } finally {
      await served.close();
    }
  });
});

function productionSecrets(): Record<string, string> {
  return {
    API_KEYS: 'k'.repeat(40),
    WEBHOOK_SECRET: 's'.repeat(40),
    ENCRYPTION_KEYS: `prod1:${'a'.repeat(64)}`,
    DATABASE_URL: 'postgres://db/x',
    PUBLIC_BASE_URL: 'https://sync.example.com',
  };
}
