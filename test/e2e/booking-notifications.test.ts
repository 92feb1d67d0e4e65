import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/api/webhook-signature';
import { confirmBody, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
  status: number;
  signed: boolean;
  idempotencyKey: string | undefined;
}

/** The booking system's endpoint: refuses each event's first two deliveries, and every sync_failed one. */
let received: Received[] = [];
let receiver: http.Server;
let h: Harness;

beforeAll(async () => {
  const attempts = new Map<string, number>();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8')) as { id: string; type: string; data: Record<string, unknown> };
      const n = (attempts.get(body.id) ?? 0) + 1;
      attempts.set(body.id, n);
      const status = body.type === 'booking.sync_failed' ? 500 : n <= 2 ? 503 : 200;
      received.push({
        ...body,
        status,
        signed: verifySignature(req.headers['x-signature'] as string | undefined, h.config.webhookSecret, raw).ok,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/calendar-events`;
  h = await startHarness({ NOTIFY_URL: url, NOTIFY_RETRY_FOR: '12s', BUSY_POLL_INTERVAL: '2s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

const accepted = (type: string, pred: (r: Received) => boolean = () => true) => received.filter((r) => r.type === type && r.status === 200 && pred(r));

describe('notifications to the booking system', () => {
  it('connection.connected arrives once, signed, even though the endpoint refused the first two deliveries', async () => {
    const userId = h.id('u');
    const { connectionId } = await h.connectGoogle(userId);
    const [event] = await eventually(async () => {
      const ok = accepted('connection.connected', (r) => r.data.connectionId === connectionId);
      return ok.length > 0 ? ok : undefined;
    }, 'connection.connected delivered');
    expect(event!.data).toMatchObject({ userId, connectionId, reconnect: false });
    const attempts = received.filter((r) => r.id === event!.id);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(attempts.every((r) => r.signed && r.idempotencyKey === event!.id)).toBe(true);
    const list = await h.api<{ notifications: Array<{ id: string; status: string; attempts: number }> }>('GET', '/v1/notifications?status=delivered');
    expect(list.body.notifications.find((n) => n.id === event!.id)).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('connection.needs_reauth once when the grant is revoked; booking.sync_failed is retried, then listed as failed', { timeout: 120_000 }, async () => {
    const userId = h.id('u');
    const { connectionId, email } = await h.connectGoogle(userId);
    await h.google.revoke(email);
    await h.google.expireAccessTokens(email);
    await eventually(async () => (accepted('connection.needs_reauth', (r) => r.data.connectionId === connectionId).length > 0 ? true : undefined), 'needs_reauth delivered');

    const tutor = h.id('t');
    const t = await h.connectGoogle(tutor);
    await h.google.addFault({ method: 'POST', path: '/events', account: t.email, status: 400, reason: 'invalid', message: 'Invalid value', times: 'always' });
    const bookingId = h.id('bk');
    const p: TestParticipant = { userId: tutor, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([p]))).status).toBe(202);
    const failed = await eventually(async () => {
      const list = await h.api<{ notifications: Array<{ id: string; type: string; data: { bookingId?: string }; status: string; attempts: number }> }>('GET', '/v1/notifications?status=failed');
      return list.body.notifications.find((n) => n.type === 'booking.sync_failed' && n.data.bookingId === bookingId);
    }, 'booking.sync_failed listed as failed', 60_000);
    expect(failed.attempts).toBeGreaterThanOrEqual(2);
    expect(received.filter((r) => r.id === failed.id).every((r) => r.status === 500)).toBe(true);
    // Polls went on all along (every 2 s while the failed event was retried): the reauth event was still sent once.
    expect(new Set(received.filter((r) => r.type === 'connection.needs_reauth' && r.data.connectionId === connectionId).map((r) => r.id)).size).toBe(1);
  });

  it('refuses a bad status filter', async () => {
    expect((await h.api('GET', '/v1/notifications?status=lost')).status).toBe(400);
    expect((await h.api('GET', '/v1/notifications', undefined, { key: null })).status).toBe(401);
  });
});
