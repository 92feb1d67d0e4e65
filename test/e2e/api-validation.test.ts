import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/crypto/webhook-signature';
import { confirmBody } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

/**
 * Hostile and broken requests on every route: each gets its documented 4xx with the error body,
 * and afterwards neither the database nor Temporal holds anything for the ids they named.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Every id in this file starts with this, so "nothing new" can be checked by prefix. */
const P = `hx${randomBytes(3).toString('hex')}`;
const participant = { userId: `${P}-u1`, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
const valid = (over: Record<string, unknown> = {}) => confirmBody([participant], over);
const slot = { start: '2030-05-01T15:00:00Z', end: '2030-05-01T16:00:00Z' };

interface Case {
  name: string;
  method?: string;
  /** Relative to the booking/user under test: `{b}` and `{u}` are replaced with fresh ids. */
  path: string;
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  /** undefined: the test API key; null: none; a string: that Authorization header. */
  auth?: string | null;
  headers?: Record<string, string>;
  status: number;
  code?: string;
}

const confirm = '/v1/bookings/{b}/confirm';
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const withProto = (key: string) => `{"${key}":{"polluted":true},${JSON.stringify(valid()).slice(1)}`;

const cases: Case[] = [
  // Authentication
  { name: 'no API key', path: confirm, body: valid(), auth: null, status: 401, code: 'unauthorized' },
  { name: 'wrong API key', path: confirm, body: valid(), auth: 'Bearer not-a-key', status: 401, code: 'unauthorized' },
  { name: 'Basic instead of Bearer', path: confirm, body: valid(), auth: 'Basic dXNlcjpwYXNz', status: 401, code: 'unauthorized' },
  { name: 'empty bearer', path: confirm, body: valid(), auth: 'Bearer ', status: 401, code: 'unauthorized' },
  { name: 'key in the query string', path: `${confirm}?api_key=x`, body: valid(), auth: null, status: 401, code: 'unauthorized' },
  { name: 'no key on connections', method: 'GET', path: '/v1/users/{u}/connections', auth: null, status: 401, code: 'unauthorized' },
  // Body format
  { name: 'malformed JSON', path: confirm, raw: '{"title": ', status: 400, code: 'invalid_json' },
  { name: 'JSON string body', path: confirm, raw: '"hello"', status: 400, code: 'invalid_json' },
  { name: 'JSON null body', path: confirm, raw: 'null', status: 400, code: 'invalid_json' },
  { name: 'array body', path: confirm, body: [valid()], status: 400, code: 'invalid_request' },
  {
    name: 'form-encoded body',
    path: confirm,
    raw: 'title=x',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'text/plain body',
    path: confirm,
    raw: JSON.stringify(valid()),
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'latin-1 charset',
    path: confirm,
    raw: JSON.stringify(valid()),
    contentType: 'application/json; charset=latin1',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'invalid UTF-8',
    path: confirm,
    raw: Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
    status: 400,
    code: 'invalid_utf8',
  },
  {
    name: '10 MB body',
    path: confirm,
    raw: JSON.stringify(valid({ description: 'x'.repeat(10 * 1024 * 1024) })),
    status: 413,
    code: 'payload_too_large',
  },
  { name: 'deeply nested JSON', path: confirm, raw: nested(20_000), status: 400 },
  { name: '__proto__ key', path: confirm, raw: withProto('__proto__'), status: 400, code: 'invalid_request' },
  { name: 'constructor key', path: confirm, raw: withProto('constructor'), status: 400, code: 'invalid_request' },
  {
    name: '__proto__ in a participant',
    path: confirm,
    raw: JSON.stringify(valid()).replace('"userId"', '"__proto__":{"admin":true},"userId"'),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'unknown field', path: confirm, body: valid({ colour: 'red' }), status: 400, code: 'invalid_request' },
  // Confirm fields
  { name: 'missing title', path: confirm, body: valid({ title: undefined }), status: 400, code: 'invalid_request' },
  { name: 'title is a number', path: confirm, body: valid({ title: 42 }), status: 400, code: 'invalid_request' },
  { name: 'blank title', path: confirm, body: valid({ title: '   ' }), status: 400, code: 'invalid_request' },
  { name: 'CR/LF in title', path: confirm, body: valid({ title: 'Maths\r\nX-INJECT: yes' }), status: 400, code: 'invalid_request' },
  {
    name: 'iCalendar property injection in location',
    path: confirm,
    body: valid({ location: 'Room 1\nATTENDEE:mailto:evil@example.com' }),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'NUL in title', path: confirm, body: valid({ title: 'Maths\u0000' }), status: 400, code: 'invalid_request' },
  {
    name: 'bell character in description',
    path: confirm,
    body: valid({ description: 'ding\u0007' }),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'title of 10,000 characters', path: confirm, body: valid({ title: 't'.repeat(10_000) }), status: 400, code: 'invalid_request' },
  { name: 'start is not a date', path: confirm, body: valid({ start: 'tomorrow' }), status: 400, code: 'invalid_request' },
  { name: 'start without offset', path: confirm, body: valid({ start: '2030-05-01T15:00:00' }), status: 400, code: 'invalid_request' },
  { name: 'impossible date', path: confirm, body: valid({ start: '2030-02-30T15:00:00Z' }), status: 400, code: 'invalid_request' },
  { name: 'hour 25', path: confirm, body: valid({ start: '2030-05-01T25:00:00Z' }), status: 400, code: 'invalid_request' },
  { name: 'end before start', path: confirm, body: valid({ end: '2030-05-01T14:00:00Z' }), status: 400, code: 'invalid_request' },
  { name: 'end equals start', path: confirm, body: valid({ end: slot.start }), status: 400, code: 'invalid_request' },
  { name: 'lasting 40 days', path: confirm, body: valid({ end: '2030-06-10T15:00:00Z' }), status: 400, code: 'invalid_request' },
  { name: 'unknown time zone', path: confirm, body: valid({ timeZone: 'Mars/Olympus' }), status: 400, code: 'invalid_request' },
  { name: 'time zone as offset number', path: confirm, body: valid({ timeZone: 2 }), status: 400, code: 'invalid_request' },
  { name: 'no participants', path: confirm, body: confirmBody([]), status: 400, code: 'invalid_request' },
  { name: 'participants missing', path: confirm, body: valid({ participants: undefined }), status: 400, code: 'invalid_request' },
  { name: 'participants is an object', path: confirm, body: valid({ participants: participant }), status: 400, code: 'invalid_request' },
  {
    name: 'invalid e-mail',
    path: confirm,
    body: confirmBody([{ ...participant, email: 'not-an-email' }]),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'e-mail with CRLF header injection',
    path: confirm,
    body: confirmBody([{ ...participant, email: 'a@b.com\r\nBcc: c@d.com' }]),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'userId with a slash',
    path: confirm,
    body: confirmBody([{ ...participant, userId: 'a/b' }]),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'SQL in a userId',
    path: confirm,
    body: confirmBody([{ ...participant, userId: "x'; DROP TABLE bookings; --" }]),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'duplicate participants', path: confirm, body: confirmBody([participant, participant]), status: 400, code: 'invalid_request' },
  {
    name: 'role with markup',
    path: confirm,
    body: confirmBody([{ ...participant, role: '<script>' }]),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '51 participants',
    path: confirm,
    body: confirmBody(Array.from({ length: 51 }, (_, i) => ({ ...participant, userId: `${P}-p${i}` }))),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'negative version', path: confirm, body: valid({ version: -1 }), status: 400, code: 'invalid_request' },
  { name: 'version as string', path: confirm, body: valid({ version: '2' }), status: 400, code: 'invalid_request' },
  { name: 'fractional version', path: confirm, body: valid({ version: 1.5 }), status: 400, code: 'invalid_request' },
  {
    name: 'version beyond 2^53',
    path: confirm,
    raw: JSON.stringify(valid()).replace('{', '{"version":9007199254740993,'),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'javascript: meeting URL',
    path: confirm,
    body: valid({ meetingUrl: 'javascript:alert(1)' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'data: meeting URL',
    path: confirm,
    body: valid({ meetingUrl: 'data:text/html,<b>x</b>' }),
    status: 400,
    code: 'invalid_request',
  },
  // Booking ids in the path
  {
    name: 'SQL in the booking id',
    path: `/v1/bookings/${encodeURIComponent("1'; DROP TABLE bookings; --")}/confirm`,
    body: valid(),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'booking id of 129 characters',
    path: `/v1/bookings/${'b'.repeat(129)}/confirm`,
    body: valid(),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'non-ASCII booking id',
    path: `/v1/bookings/${encodeURIComponent('bøøk')}/confirm`,
    body: valid(),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'path traversal in the booking id',
    path: '/v1/bookings/..%2F..%2Fetc%2Fpasswd/confirm',
    body: valid(),
    status: 400,
    code: 'invalid_request',
  },
  // Reschedule, cancel, read
  { name: 'reschedule an unknown booking', path: '/v1/bookings/{b}/reschedule', body: slot, status: 404, code: 'booking_not_found' },
  {
    name: 'reschedule with end before start',
    path: '/v1/bookings/{b}/reschedule',
    body: { start: slot.end, end: slot.start },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'reschedule with an unknown field',
    path: '/v1/bookings/{b}/reschedule',
    body: { ...slot, title: 'x' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'reschedule with an invalid zone',
    path: '/v1/bookings/{b}/reschedule',
    body: { ...slot, timeZone: 'Europe/Atlantis' },
    status: 400,
    code: 'invalid_request',
  },
  { name: 'cancel an unknown booking', path: '/v1/bookings/{b}/cancel', body: {}, status: 404, code: 'booking_not_found' },
  { name: 'cancel with a numeric reason', path: '/v1/bookings/{b}/cancel', body: { reason: 7 }, status: 400, code: 'invalid_request' },
  { name: 'read an unknown booking', method: 'GET', path: '/v1/bookings/{b}', status: 404, code: 'booking_not_found' },
  {
    name: 'read with an invalid id',
    method: 'GET',
    path: `/v1/bookings/${encodeURIComponent('a b')}`,
    status: 400,
    code: 'invalid_request',
  },
  { name: 'PUT on a booking route', method: 'PUT', path: confirm, body: valid(), status: 404, code: 'not_found' },
  // Connections
  {
    name: 'connect an OAuth provider with a password',
    path: '/v1/users/{u}/connections',
    body: { provider: 'google', username: 'a', password: 'b' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'CalDAV without a server URL',
    path: '/v1/users/{u}/connections',
    body: { provider: 'caldav', username: 'a', password: 'b' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'CalDAV over ftp',
    path: '/v1/users/{u}/connections',
    body: { provider: 'caldav', serverUrl: 'ftp://example.com/', username: 'a', password: 'b' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'CalDAV javascript: URL',
    path: '/v1/users/{u}/connections',
    body: { provider: 'caldav', serverUrl: 'javascript:alert(1)', username: 'a', password: 'b' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'CalDAV without a password',
    path: '/v1/users/{u}/connections',
    body: { provider: 'icloud', username: 'a' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'CalDAV with an extra field',
    path: '/v1/users/{u}/connections',
    body: { provider: 'icloud', username: 'a', password: 'b', admin: true },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'SQL in the user id',
    method: 'GET',
    path: `/v1/users/${encodeURIComponent("u' OR '1'='1")}/connections`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'PATCH a connection id that is not a UUID',
    method: 'PATCH',
    path: '/v1/users/{u}/connections/1%20OR%201=1',
    body: { syncEnabled: false },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'PATCH a connection that is not theirs',
    method: 'PATCH',
    path: `/v1/users/{u}/connections/${randomUUID()}`,
    body: { syncEnabled: false },
    status: 404,
    code: 'connection_not_found',
  },
  {
    name: 'PATCH with nothing to change',
    method: 'PATCH',
    path: `/v1/users/{u}/connections/${randomUUID()}`,
    body: {},
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'PATCH syncEnabled as a string',
    method: 'PATCH',
    path: `/v1/users/{u}/connections/${randomUUID()}`,
    body: { syncEnabled: 'false' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'DELETE with removeEvents=maybe',
    method: 'DELETE',
    path: `/v1/users/{u}/connections/${randomUUID()}?removeEvents=maybe`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'erase a user with removeEvents=maybe',
    method: 'DELETE',
    path: '/v1/users/{u}?removeEvents=maybe',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'erase a user with an unknown query parameter',
    method: 'DELETE',
    path: '/v1/users/{u}?force=1',
    status: 400,
    code: 'invalid_request',
  },
  { name: 'erase a user without the API key', method: 'DELETE', path: '/v1/users/{u}', auth: null, status: 401 },
  {
    name: 'DELETE with an unknown query parameter',
    method: 'DELETE',
    path: `/v1/users/{u}/connections/${randomUUID()}?force=1`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'calendars of a connection that is not theirs',
    method: 'GET',
    path: `/v1/users/{u}/connections/${randomUUID()}/calendars`,
    status: 404,
    code: 'connection_not_found',
  },
  // Connect and settings links, OAuth, settings pages
  {
    name: 'connect link for an unknown provider',
    path: '/v1/users/{u}/connect-links',
    body: { provider: 'yahoo' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'connect link with a javascript: return URL',
    path: '/v1/users/{u}/connect-links',
    body: { provider: 'google', returnUrl: 'javascript:alert(1)' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'connect link with an extra field',
    path: '/v1/users/{u}/connect-links',
    body: { provider: 'google', scope: 'everything' },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'settings link for an invalid user id',
    path: `/v1/users/${encodeURIComponent('<u>')}/settings-links`,
    status: 400,
    code: 'invalid_request',
  },
  { name: 'open a connect link that does not exist', method: 'GET', path: '/v1/connect/not-a-real-link', auth: null, status: 400 },
  { name: 'OAuth callback without state', method: 'GET', path: '/v1/oauth/google/callback?code=abc', auth: null, status: 400 },
  {
    name: 'OAuth callback with a forged state',
    method: 'GET',
    path: '/v1/oauth/google/callback?code=abc&state=forged.state',
    auth: null,
    status: 400,
  },
  {
    name: 'OAuth callback for an unknown provider',
    method: 'GET',
    path: '/v1/oauth/yahoo/callback?code=abc&state=x',
    auth: null,
    status: 400,
  },
  { name: 'settings page without a token', method: 'GET', path: '/settings', auth: null, status: 401 },
  {
    name: 'settings CalDAV form without a session',
    path: '/settings/caldav',
    raw: 'provider=caldav&username=a&password=b',
    contentType: 'application/x-www-form-urlencoded',
    headers: { 'sec-fetch-site': 'same-origin' },
    auth: null,
    status: 401,
  },
  {
    name: 'settings disconnect without a session',
    path: '/settings/disconnect',
    raw: `connectionId=${randomUUID()}`,
    contentType: 'application/x-www-form-urlencoded',
    headers: { 'sec-fetch-site': 'same-origin' },
    auth: null,
    status: 401,
  },
  {
    name: 'settings form posted from another site',
    path: '/settings/disconnect',
    raw: `connectionId=${randomUUID()}`,
    contentType: 'application/x-www-form-urlencoded',
    headers: { 'sec-fetch-site': 'cross-site' },
    auth: null,
    status: 403,
  },
  { name: 'revoke settings links without the API key', method: 'DELETE', path: '/v1/users/{u}/settings-links', auth: null, status: 401 },
  // Webhooks
  {
    name: 'webhook without a signature',
    path: '/v1/webhooks/bookings',
    raw: JSON.stringify({ id: `${P}-e1`, type: 'booking.cancelled', occurredAt: slot.start, data: { bookingId: `${P}-b` } }),
    auth: null,
    status: 401,
    code: 'invalid_signature',
  },
  {
    name: 'webhook signed with the API key',
    path: '/v1/webhooks/bookings',
    raw: '{}',
    auth: null,
    headers: { 'x-signature': 't=1,v1=00' },
    status: 401,
    code: 'invalid_signature',
  },
  // Routes that do not exist
  { name: 'unknown route', method: 'GET', path: '/v1/nothing-here', status: 404, code: 'not_found' },
  { name: 'admin-looking route', method: 'GET', path: '/admin', auth: null, status: 404, code: 'not_found' },
];

async function send(c: Case): Promise<{ status: number; text: string; contentType: string | null }> {
  const path = c.path
    .replaceAll('{b}', `${P}-b${randomBytes(3).toString('hex')}`)
    .replaceAll('{u}', `${P}-u${randomBytes(3).toString('hex')}`);
  const headers: Record<string, string> = { ...c.headers };
  if (c.auth === undefined) headers.authorization = `Bearer ${h.config.apiKeys[0]}`;
  else if (c.auth !== null) headers.authorization = c.auth;
  let body: string | Buffer | undefined = c.raw;
  if (body === undefined && c.body !== undefined) body = JSON.stringify(c.body);
  if (body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  const res = await fetch(`${h.service.url}${path}`, { method: c.method ?? 'POST', headers, body, redirect: 'manual' });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

describe('hostile requests on every route get a documented 4xx and change nothing', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const res = await send(c);
      expect(res.status).toBe(c.status);
      if (c.code) {
        const body = JSON.parse(res.text) as { status: number; code: string; detail: string };
        // RFC 9457 problem details (the deprecated `error` member has its own test: problem-details).
        expect(res.contentType).toBe('application/problem+json; charset=utf-8');
        expect([body.status, body.code]).toEqual([c.status, c.code]);
        expect(body.detail.length).toBeGreaterThan(0);
      }
    });
  }

  it('left nothing in the database or in Temporal for any id the requests named', async () => {
    const counts = await h.pool.query<{ what: string; n: string }>(
      `SELECT 'bookings' AS what, count(*) AS n FROM bookings WHERE booking_id LIKE $1
       UNION ALL SELECT 'connections', count(*) FROM calendar_connections WHERE user_id LIKE $1
       UNION ALL SELECT 'oauth flows', count(*) FROM oauth_flows WHERE user_id LIKE $1
       UNION ALL SELECT 'webhook receipts', count(*) FROM webhook_receipts WHERE booking_id LIKE $1 OR id LIKE $1
       UNION ALL SELECT 'events', count(*) FROM calendar_events WHERE booking_id LIKE $1`,
      [`${P}%`],
    );
    expect(Object.fromEntries(counts.rows.map((r) => [r.what, Number(r.n)]))).toEqual({
      bookings: 0,
      connections: 0,
      'oauth flows': 0,
      'webhook receipts': 0,
      events: 0,
    });
    const listed = async () => {
      const ids: string[] = [];
      for await (const w of h.service.client.workflow.list({ query: `TaskQueue = '${h.config.temporal.taskQueue}'` }))
        ids.push(w.workflowId);
      return ids;
    };
    // A control booking proves the query would see a workflow if a hostile request had started one.
    const control = `${P}-control`;
    expect((await h.api('POST', `/v1/bookings/${control}/confirm`, valid())).status).toBe(202);
    const seen = await eventually(async () => {
      const ids = await listed();
      return ids.length > 0 ? ids : undefined;
    }, 'the control workflow to be listed');
    expect(seen).toEqual([`booking:${control}`]);
  });
});

describe('crafted query values on the settings page', () => {
  it('answers 200, never 500, for prototype names and repeated parameters', async () => {
    const link = await h.api<{ url: string }>('POST', `/v1/users/${P}-settings/settings-links`);
    expect(link.status).toBe(201);
    // The link is exchanged for a session cookie, which the page then reads.
    const exchanged = await fetch(link.body.url, { redirect: 'manual' });
    expect(exchanged.status).toBeLessThan(400);
    const cookie = exchanged.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const page = (query: string) => fetch(`${h.service.url}/settings?${query}`, { redirect: 'manual', headers: { cookie } });
    for (const query of [
      'status=error&error=constructor',
      'status=error&error=__proto__',
      'status=error&error=toString',
      'status=error&error=hasOwnProperty',
      'status=error&error=a&error=b',
      'status=a&status=b',
      'status=error&error[x]=1',
      'status[]=error',
    ]) {
      const res = await page(query);
      expect([query, res.status]).toEqual([query, 200]);
      const html = await res.text();
      if (query.startsWith('status=error&error=')) expect(html).toContain('The calendar could not be connected.');
    }
  });
});

describe('known bookings are not changed by bad requests', () => {
  it('reschedule with end before start is 400 and leaves the booking as it was', async () => {
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, valid())).status).toBe(202);
    const r = await h.api<{ code: string }>('POST', `/v1/bookings/${bookingId}/reschedule`, {
      start: slot.start,
      end: slot.start,
    });
    expect(r.status).toBe(400);
    const view = await h.api<{ start: string }>('GET', `/v1/bookings/${bookingId}`);
    expect(view.body.start).toBe(slot.start);
  });

  it('a signed webhook with a hostile body is refused like the route', async () => {
    const raw = JSON.stringify({
      id: `${P}-e2`,
      type: 'booking.confirmed',
      occurredAt: slot.start,
      data: { bookingId: `${P}-w`, ...valid({ title: 'a\r\nb' }) },
    });
    const res = await h.api<{ code: string }>('POST', '/v1/webhooks/bookings', undefined, {
      key: null,
      rawBody: raw,
      headers: { 'x-signature': signatureHeader(h.config.webhookSecret, raw) },
    });
    expect([res.status, res.body.code]).toEqual([400, 'invalid_request']);
  });

  it('health endpoints answer', async () => {
    expect((await h.api('GET', '/healthz', undefined, { key: null })).status).toBe(200);
    const ready = await h.api<{ checks: Record<string, string> }>('GET', '/readyz', undefined, { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', temporal: 'ok', worker: 'running' });
  });
});
