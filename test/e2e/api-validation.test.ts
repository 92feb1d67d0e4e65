import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody } from '../support/bookings';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const participant = { userId: 'u-1', role: 'tutor', name: 'Ada', email: 'ada@example.com' };
const valid = () => confirmBody([participant]);

/** Nothing was started or stored for this booking. */
async function expectNothingFor(bookingId: string): Promise<void> {
  await expect(h.service.client.workflow.getHandle(bookingWorkflowId(bookingId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  const rows = await h.pool.query('SELECT 1 FROM bookings WHERE booking_id = $1', [bookingId]);
  expect(rows.rowCount).toBe(0);
}

interface Case {
  name: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  key?: string | null;
  status: number;
  code: string;
  path?: string;
}

const cases: Case[] = [
  { name: 'no API key', body: valid(), key: null, status: 401, code: 'unauthorized' },
  { name: 'wrong API key', body: valid(), key: 'not-a-key', status: 401, code: 'unauthorized' },
  { name: 'malformed JSON', raw: '{"title": ', status: 400, code: 'invalid_json' },
  { name: 'not JSON', raw: 'title=x', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'oversized body', raw: JSON.stringify({ ...valid(), description: 'x'.repeat(300_000) }), status: 413, code: 'payload_too_large' },
  { name: 'unknown field', body: { ...valid(), colour: 'red' }, status: 400, code: 'invalid_request', path: 'body' },
  { name: 'missing title', body: { ...valid(), title: undefined }, status: 400, code: 'invalid_request', path: 'body.title' },
  { name: 'end before start', body: { ...valid(), end: '2030-05-01T14:00:00Z' }, status: 400, code: 'invalid_request', path: 'body.end' },
  { name: 'end equals start', body: { ...valid(), end: '2030-05-01T15:00:00Z' }, status: 400, code: 'invalid_request', path: 'body.end' },
  { name: 'instant without offset', body: { ...valid(), start: '2030-05-01T15:00:00' }, status: 400, code: 'invalid_request', path: 'body.start' },
  { name: 'impossible date', body: { ...valid(), start: '2030-02-30T15:00:00Z' }, status: 400, code: 'invalid_request', path: 'body.start' },
  { name: 'unknown time zone', body: { ...valid(), timeZone: 'Mars/Olympus' }, status: 400, code: 'invalid_request', path: 'body.timeZone' },
  { name: 'invalid e-mail', body: confirmBody([{ ...participant, email: 'not-an-email' }]), status: 400, code: 'invalid_request', path: 'body.participants.0.email' },
  { name: 'no participants', body: confirmBody([]), status: 400, code: 'invalid_request', path: 'body.participants' },
  { name: 'duplicate participants', body: confirmBody([participant, participant]), status: 400, code: 'invalid_request', path: 'body.participants' },
  { name: 'newline in title', body: { ...valid(), title: 'Maths\r\nX-INJECT: yes' }, status: 400, code: 'invalid_request', path: 'body.title' },
  { name: 'negative version', body: { ...valid(), version: -1 }, status: 400, code: 'invalid_request', path: 'body.version' },
  { name: 'version as string', body: { ...valid(), version: '2' }, status: 400, code: 'invalid_request', path: 'body.version' },
  { name: 'meeting URL not http', body: { ...valid(), meetingUrl: 'javascript:alert(1)' }, status: 400, code: 'invalid_request', path: 'body.meetingUrl' },
  { name: 'array body', body: [valid()], status: 400, code: 'invalid_request' },
];

describe('invalid booking changes get a documented 4xx and start nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const bookingId = h.id('bad');
      const res = await h.api<{ error: { code: string; message: string; details?: Array<{ path: string }> } }>(
        'POST',
        `/v1/bookings/${bookingId}/confirm`,
        c.body,
        { key: c.key, rawBody: c.raw, contentType: c.contentType },
      );
      expect(res.status).toBe(c.status);
      expect(res.body.error.code).toBe(c.code);
      expect(typeof res.body.error.message).toBe('string');
      if (c.path) expect(res.body.error.details?.map((d) => d.path)).toContain(c.path);
      await expectNothingFor(bookingId);
    });
  }

  it('an invalid booking id in the path', async () => {
    const res = await h.api<{ error: { code: string } }>('POST', `/v1/bookings/${encodeURIComponent('bad id!')}/confirm`, valid());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });

  it('reschedule, cancel and GET of an unknown booking are 404', async () => {
    const bookingId = h.id('missing');
    const r = await h.api<{ error: { code: string } }>('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2030-05-01T15:00:00Z', end: '2030-05-01T16:00:00Z' });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('booking_not_found');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {})).status).toBe(404);
    expect((await h.api('GET', `/v1/bookings/${bookingId}`)).status).toBe(404);
    await expectNothingFor(bookingId);
  });

  it('reschedule with end before start is 400 and leaves the booking as it was', async () => {
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, valid())).status).toBe(202);
    const r = await h.api<{ error: { code: string } }>('POST', `/v1/bookings/${bookingId}/reschedule`, { start: '2030-05-01T15:00:00Z', end: '2030-05-01T15:00:00Z' });
    expect(r.status).toBe(400);
    const view = await h.api<{ start: string }>('GET', `/v1/bookings/${bookingId}`);
    expect(view.body.start).toBe('2030-05-01T15:00:00Z');
  });

  it('unknown routes are 404 with the documented body; health endpoints answer', async () => {
    const r = await h.api<{ error: { code: string } }>('GET', '/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    expect((await h.api('GET', '/healthz', undefined, { key: null })).status).toBe(200);
    const ready = await h.api<{ checks: Record<string, string> }>('GET', '/readyz', undefined, { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', temporal: 'ok' });
  });
});
