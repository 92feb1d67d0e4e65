import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerServiceOrigin, unregisterServiceOrigin } from '../support/service-origins';

// The integration project's fetch checks answers from registered service origins against the
// OpenAPI document (test/setup/validate-responses.ts); a stand-in "service" shows that it does.

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'shutting_down' }));
    } else if (req.url === '/v1/bookings/bk-1/confirm') {
      // A 400 whose body is not a Problem.
      res.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ message: 'bad' }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registerServiceOrigin(url);
});

afterAll(async () => {
  unregisterServiceOrigin(url);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fetch in end-to-end tests', () => {
  it('hands over a documented answer with its body unread', async () => {
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'shutting_down' });
  });

  it('rejects an answer whose body does not match the document, saying where and why', async () => {
    await expect(fetch(`${url}/v1/bookings/bk-1/confirm`, { method: 'POST', body: '{}' })).rejects.toThrow(
      /POST \/v1\/bookings\/bk-1\/confirm → 400.*does not match the documented schema[\s\S]*must have required property 'code'/,
    );
  });

  it('rejects an answer on a route the document does not have', async () => {
    await expect(fetch(`${url}/v1/undocumented`)).rejects.toThrow('GET /v1/undocumented is not in the document');
  });

  it('leaves origins that are not a service under test alone', async () => {
    unregisterServiceOrigin(url);
    try {
      expect((await fetch(`${url}/v1/undocumented`)).status).toBe(200);
    } finally {
      registerServiceOrigin(url);
    }
  });
});
