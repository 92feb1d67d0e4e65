import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createClient, verifyNotification } from '../src';

// The client against a recording fetch: what it sends and how it reads answers.
function recordingFetch(answer: () => Response) {
  const seen: Request[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    seen.push(new Request(input, init));
    return Promise.resolve(answer());
  };
  return { seen, fetch };
}

const problem = { type: 'https://x/problems/not_found', title: 'Not found', status: 404, code: 'not_found', detail: 'unknown booking' };

describe('createClient', () => {
  it('calls an operation by its operationId with the API key, path parameters and JSON body', async () => {
    const rec = recordingFetch(() => new Response(null, { status: 202 }));
    const client = createClient({ baseUrl: 'http://svc.test/', apiKey: 'k1', fetch: rec.fetch });
    const res = await client.call('cancelBooking', { params: { path: { bookingId: 'b/1' } }, body: { version: 3, reason: 'ill' } });
    expect(res.status).toBe(202);
    expect(res.body).toBeUndefined();
    const sent = rec.seen[0]!;
    expect([sent.method, sent.url]).toEqual(['POST', 'http://svc.test/v1/bookings/b%2F1/cancel']);
    expect(sent.headers.get('authorization')).toBe('Bearer k1');
    expect(sent.headers.get('content-type')).toBe('application/json');
    expect(await sent.json()).toEqual({ version: 3, reason: 'ill' });
  });

  it('answers problems as values, with status and headers, and serialises query parameters', async () => {
    const rec = recordingFetch(
      () =>
        new Response(JSON.stringify(problem), {
          status: 404,
          headers: { 'content-type': 'application/problem+json', 'x-request-id': 'r1' },
        }),
    );
    const client = createClient({ baseUrl: 'http://svc.test', apiKey: 'k1', fetch: rec.fetch });
    const res = await client.call('getBookingHistory', { params: { path: { bookingId: 'b1' }, query: { limit: 5 } } });
    expect(rec.seen[0]!.url).toBe('http://svc.test/v1/bookings/b1/history?limit=5');
    expect(res.status).toBe(404);
    if (res.status === 404) expect(res.body.code).toBe('not_found');
    expect(res.headers.get('x-request-id')).toBe('r1');
  });

  it('sends raw bodies and its own authorization as given, and reads text answers as text', async () => {
    const rec = recordingFetch(() => new Response('BEGIN:VCALENDAR', { status: 200, headers: { 'content-type': 'text/calendar' } }));
    const client = createClient({ baseUrl: 'http://svc.test', apiKey: 'k1', fetch: rec.fetch });
    const res = await client.raw('POST', '/v1/availability/check', {
      body: '{"broken',
      headers: { authorization: 'Bearer other', 'content-type': 'text/plain' },
    });
    expect(res).toMatchObject({ status: 200, body: 'BEGIN:VCALENDAR' });
    const sent = rec.seen[0]!;
    expect(sent.headers.get('authorization')).toBe('Bearer other');
    expect(sent.headers.get('content-type')).toBe('text/plain');
    expect(await sent.text()).toBe('{"broken');
  });

  it('sends no authorization without an API key, and rejects on network errors and timeouts', async () => {
    const rec = recordingFetch(() => new Response('{"status":"ok"}', { status: 200 }));
    const open = createClient({ baseUrl: 'http://svc.test', fetch: rec.fetch });
    expect((await open.call('checkLiveness')).body).toEqual({ status: 'ok' });
    expect(rec.seen[0]!.headers.has('authorization')).toBe(false);

    const down = createClient({ baseUrl: 'http://svc.test', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(down.call('checkLiveness')).rejects.toThrow('fetch failed');

    const slow = createClient({
      baseUrl: 'http://svc.test',
      timeoutMs: 20,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error))),
    });
    await expect(slow.call('checkLiveness')).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('verifyNotification', () => {
  const oldSecret = `whsec_${Buffer.from('old-secret-old-secret-32-bytes!!').toString('base64')}`;
  const newSecret = `whsec_${Buffer.from('new-secret-new-secret-32-bytes!!').toString('base64')}`;
  const body = JSON.stringify({ id: 'n1', type: 'booking.synced', occurredAt: '2026-01-01T00:00:00Z', data: { bookingId: 'b1' } });
  const signed = (secret: string) => ({
    'webhook-id': 'n1',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': new Webhook(secret).sign('n1', new Date(), body),
  });

  it('accepts a notification signed with any secret of the rotation list', () => {
    expect(verifyNotification(body, signed(oldSecret), [newSecret, oldSecret])).toMatchObject({ id: 'n1', type: 'booking.synced' });
    expect(verifyNotification(Buffer.from(body), new Headers(signed(newSecret)), [newSecret]).id).toBe('n1');
  });

  it('throws for a body or signature no secret verifies', () => {
    expect(() => verifyNotification(body, signed(oldSecret), [newSecret])).toThrow();
    expect(() => verifyNotification(`${body} `, signed(oldSecret), [oldSecret])).toThrow();
    expect(() => verifyNotification(body, signed(oldSecret), [])).toThrow('no secrets');
  });
});
