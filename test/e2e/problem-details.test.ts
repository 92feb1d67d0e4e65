import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config';
import { createPool } from '../../src/db/pool';
import { createLogger } from '../../src/logging';
import { findFreePort } from '../../src/net/free-port';
import { startService } from '../../src/service';
import { registerServiceOrigin, unregisterServiceOrigin } from '../support/service-origins';
import { confirmBody } from '../support/bookings';
import { documentedHeader } from '../support/documented-signature';
import { startHarness, type Harness } from '../support/harness';
import { startTcpProxy } from '../support/tcp-proxy';

/**
 * Every kind of API error is RFC 9457 problem details (`application/problem+json`): `type`,
 * `title`, `status` (the HTTP status), `detail`, `instance` (the request id), our `code` and
 * field `errors`, plus the deprecated `error` member; each body matches the document's `Problem`.
 */

let h: Harness;
let problemValidator: z.ZodType;
beforeAll(async () => {
  h = await startHarness();
  const doc = (await (await fetch(`${h.service.url}/openapi.json`)).json()) as { components: { schemas: { Problem: object } } };
  problemValidator = z.fromJSONSchema(doc.components.schemas.Problem as Parameters<typeof z.fromJSONSchema>[0]);
}, 600_000);
afterAll(async () => {
  await h?.close();
});

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: Array<{ path: string; message: string }>;
  error: { code: string; message: string; details?: unknown };
}

async function send(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? h.config.apiKeys[0] : init.key;
  if (key !== null && key !== undefined) headers.set('authorization', `Bearer ${key}`);
  return fetch(`${h.service.url}${path}`, { ...init, headers, redirect: 'manual' });
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Checks every member of a problem answer and returns its body. */
async function expectProblem(res: Response, status: number, code: string, baseUrl = h.config.publicBaseUrl): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  const body = (await res.json()) as Problem;
  const checked = problemValidator.safeParse(body);
  expect(checked.error?.issues ?? []).toEqual([]);
  expect(body.status).toBe(status);
  expect(body.code).toBe(code);
  expect(body.type).toBe(`${baseUrl}/problems/${code}`);
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body.instance).toBe(res.headers.get('x-request-id'));
  // The deprecated member, kept for one release, says the same.
  expect(body.error).toMatchObject({ code, message: body.detail });
  return body;
}

describe('API errors as problem details', () => {
  it('400 invalid request: field errors as `errors`', async () => {
    const res = await send(`/v1/bookings/${h.id('b')}/confirm`, json({ title: 'x', start: 'not a time' }));
    const body = await expectProblem(res, 400, 'invalid_request');
    expect(body.title).toBe('Invalid request');
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.start' })]));
    for (const e of body.errors!) expect(e.message.length).toBeGreaterThan(0);
    expect(body.error.details).toEqual(body.errors);
  });

  it('400 malformed JSON', async () => {
    const res = await send(`/v1/bookings/${h.id('b')}/confirm`, { ...json({}), body: '{"title":' });
    const body = await expectProblem(res, 400, 'invalid_json');
    expect(body.errors).toBeUndefined();
  });

  it('401 without an API key', async () => {
    const body = await expectProblem(await send('/v1/notifications', { key: null }), 401, 'unauthorized');
    expect(body.title).toBe('Unauthorized');
  });

  it('404 unknown booking and unknown route; a caller that accepts only application/json gets the same', async () => {
    const id = h.id('b');
    const unknown = await expectProblem(
      await send(`/v1/bookings/${id}`, { headers: { accept: 'application/json' } }),
      404,
      'booking_not_found',
    );
    expect(unknown.detail).toContain(id);
    expect(unknown.title).toBe('Booking not found');
    const route = await expectProblem(await send('/v1/nothing-here'), 404, 'not_found');
    expect(route.title).toBe('No such route');
  });

  it('instance is the request id the caller sent', async () => {
    const requestId = `req-${randomUUID()}`;
    const body = await expectProblem(await send('/v1/nothing-here', { headers: { 'x-request-id': requestId } }), 404, 'not_found');
    expect(body.instance).toBe(requestId);
  });

  it('409 webhook id reused for another body', async () => {
    const event = {
      id: h.id('evt'),
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId: h.id('b'), ...confirmBody([{ userId: h.id('u'), role: 'tutor', name: 'Ada', email: 'ada@example.com' }]) },
    };
    const deliver = (raw: string) =>
      send('/v1/webhooks/bookings', {
        key: null,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': documentedHeader(h.config.webhookSecret, raw) },
        body: raw,
      });
    expect((await deliver(JSON.stringify(event))).status).toBe(202);
    const reused = await deliver(JSON.stringify({ ...event, data: { ...event.data, title: 'Something else' } }));
    await expectProblem(reused, 409, 'webhook_id_reused');
  });

  it('413 body too large and 415 wrong content type', async () => {
    const big = await send(`/v1/bookings/${h.id('b')}/confirm`, json({ title: 'x'.repeat(300 * 1024) }));
    await expectProblem(big, 413, 'payload_too_large');
    const text = await send(`/v1/bookings/${h.id('b')}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    await expectProblem(text, 415, 'unsupported_media_type');
  });

  it('the codec answers problems too', async () => {
    await expectProblem(await send('/codec/decode', { ...json({ payloads: [] }), key: null }), 401, 'unauthorized');
  });

  it("an error's type URI is a page about its code; an unknown code is a 404 problem", async () => {
    const body = await expectProblem(await send(`/v1/bookings/${h.id('b')}`), 404, 'booking_not_found');
    const page = await fetch(body.type);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<h1>Booking not found</h1>');
    expect(html).toContain('booking_not_found');
    await expectProblem(await send('/problems/no_such_code', { key: null }), 404, 'not_found');
    await expectProblem(await send('/problems/constructor', { key: null }), 404, 'not_found');
  });

  it('pages keep their HTML error pages', async () => {
    const res = await send('/settings', { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

/** The API alone, its database reached through a relay the test cuts, with a small rate limit: 503s, then 429s. */
async function outageApi(): Promise<{ url: string; apiKey: string; cutDatabase(): Promise<void>; close(): Promise<void> }> {
  const apiKey = `test_${randomBytes(24).toString('base64url')}`;
  const port = await findFreePort();
  const database = new URL(inject('databaseUrl'));
  const relay = await startTcpProxy(`${database.hostname}:${database.port || '5432'}`);
  database.host = relay.address;
  const databaseUrl = database.toString();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `problems-${randomUUID()}`,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    API_KEYS: apiKey,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    API_RATE_LIMIT_PER_MINUTE: '2',
    LOG_LEVEL: 'silent',
  });
  const pool = createPool(databaseUrl, 2);
  const service = await startService({ config, pool, logger: createLogger('silent'), api: true, worker: false });
  registerServiceOrigin(service.url!);
  return {
    url: service.url!,
    apiKey,
    cutDatabase: () => relay.cut(),
    async close() {
      unregisterServiceOrigin(service.url!);
      await service.close();
      await pool.end();
    },
  };
}

describe('dependency outages and rate limits as problem details', () => {
  it('503 database_unavailable with Retry-After, then 429 rate_limited with Retry-After', async () => {
    const api = await outageApi();
    try {
      const list = () => fetch(`${api.url}/v1/notifications`, { headers: { authorization: `Bearer ${api.apiKey}` } });
      expect((await list()).status).toBe(200);
      await api.cutDatabase();
      const outage = await list();
      expect(outage.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = await expectProblem(outage, 503, 'database_unavailable', api.url);
      expect(body.title).toBe('Database unavailable');
      const limited = await list();
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      await expectProblem(limited, 429, 'rate_limited', api.url);
    } finally {
      await api.close();
    }
  });
});
