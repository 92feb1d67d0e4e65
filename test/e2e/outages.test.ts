import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createPool } from '../../src/db/pool';
import { createLogger } from '../../src/logging';
import { findFreePort } from '../../src/net/free-port';
import { startService, type RunningService } from '../../src/service';
import { registerServiceOrigin, unregisterServiceOrigin } from '../support/service-origins';
import { startTcpProxy } from '../support/tcp-proxy';

/**
 * Outages look like outages: the API alone (no worker), once with Temporal reached through a
 * relay the test cuts, once with a database pool pointed at a closed port. And every response
 * carries a request id that is also in the access log, which holds no credential.
 */

interface ApiOnly {
  service: RunningService;
  url: string;
  apiKey: string;
  logs: string[];
  close(): Promise<void>;
}

async function apiOnly(opts: { temporalAddress: string; databaseUrl: string }): Promise<ApiOnly> {
  const apiKey = `test_${randomBytes(24).toString('base64url')}`;
  const port = await findFreePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseUrl,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: `outages-${randomUUID()}`,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    API_KEYS: apiKey,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    API_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  });
  const logs: string[] = [];
  const logger = createLogger(
    config.logLevel,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  const pool = createPool(opts.databaseUrl, 2);
  const service = await startService({ config, pool, logger, api: true, worker: false });
  registerServiceOrigin(service.url!);
  return {
    service,
    url: service.url!,
    apiKey,
    logs,
    async close() {
      unregisterServiceOrigin(service.url!);
      await service.close();
      await pool.end();
    },
  };
}

const BOOKING = {
  title: 'Maths',
  start: '2031-01-01T10:00:00Z',
  end: '2031-01-01T11:00:00Z',
  timeZone: 'Europe/London',
  participants: [{ userId: 'ada', role: 'tutor', name: 'Ada', email: 'ada@example.com' }],
};

const opened: ApiOnly[] = [];
afterAll(async () => {
  for (const api of opened) await api.close().catch(() => undefined);
});

describe('outages', () => {
  it('Temporal unreachable: 503 temporal_unavailable with Retry-After, and readiness says so', async () => {
    const relay = await startTcpProxy(inject('temporalAddress'));
    const api = await apiOnly({ temporalAddress: relay.address, databaseUrl: inject('databaseUrl') });
    opened.push(api);
    const confirm = () =>
      fetch(`${api.url}/v1/bookings/${randomUUID()}/confirm`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(BOOKING),
      });
    expect((await confirm()).status).toBe(202);

    await relay.cut();
    const res = await confirm();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ code: 'temporal_unavailable' });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', temporal: 'unavailable' } });

    // Shutting down during the outage leaves no Temporal call retrying on the closed connection
    // (one did, and threw "Channel has been shut down" from a timer a few seconds later).
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      await api.close();
      // The client's retries of an unreachable server back off over several seconds.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught.map(String)).toEqual([]);
  });

  it('PostgreSQL unreachable: 503 database_unavailable with Retry-After', async () => {
    const closedPort = await findFreePort();
    const api = await apiOnly({
      temporalAddress: inject('temporalAddress'),
      databaseUrl: `postgres://calsync:secret@127.0.0.1:${closedPort}/calsync`,
    });
    opened.push(api);
    const res = await fetch(`${api.url}/v1/notifications`, { headers: { authorization: `Bearer ${api.apiKey}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ code: 'database_unavailable' });
  });
});

describe('request ids and the access log', () => {
  it('echoes a sane X-Request-Id, replaces anything else, and logs it with credentials redacted', async () => {
    const api = await apiOnly({ temporalAddress: inject('temporalAddress'), databaseUrl: inject('databaseUrl') });
    opened.push(api);
    const given = `req-${randomBytes(6).toString('hex')}`;
    const settingsToken = randomBytes(16).toString('hex');
    const cookie = `session=${randomBytes(12).toString('hex')}`;
    const res = await fetch(`${api.url}/settings?token=${settingsToken}&lang=en`, {
      headers: { 'x-request-id': given, authorization: `Bearer ${api.apiKey}`, cookie },
    });
    expect(res.headers.get('x-request-id')).toBe(given);

    for (const bad of ['has spaces in it', 'x'.repeat(200), '<script>']) {
      const other = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': bad } });
      expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const generated = (await fetch(`${api.url}/v1/notifications`)).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const lines = api.logs.map(
      (l) => JSON.parse(l) as { msg?: string; req?: { id?: string; url?: string; headers?: Record<string, string> } },
    );
    const line = lines.find((l) => l.req?.id === given);
    expect(line?.req?.url).toBe('/settings?token=[redacted]&lang=en');
    expect(line?.req?.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': given });
    expect(lines.some((l) => l.req?.id === generated)).toBe(true);
    const all = api.logs.join('\n');
    for (const secret of [api.apiKey, settingsToken, cookie]) expect(all).not.toContain(secret);
  });
});
