import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, type TestParticipant } from '../support/bookings';
import { isDocumentedSignature } from '../support/documented-signature';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startNotifyReceiver, type NotifyAnswer, type ReceivedNotification } from '../support/notify-receiver';

type Receiver = Awaited<ReturnType<typeof startNotifyReceiver>>;
interface Listed {
  id: string;
  type: string;
  data: { bookingId?: string; connectionId?: string };
  status: string;
  attempts: number;
  lastError: string | null;
}

/**
 * The booking system's endpoint: refuses each event's first two deliveries and every
 * sync_failed one, unless a test scripts the answers for its user's events.
 */
const scripts = new Map<string, (attempt: number) => NotifyAnswer>();
let receiver: Receiver;
let h: Harness;

beforeAll(async () => {
  receiver = await startNotifyReceiver((n, attempt) => {
    const script = scripts.get(String(n.data['userId']));
    if (script) return script(attempt);
    return n.type === 'booking.sync_failed' ? 500 : attempt <= 2 ? 503 : 200;
  });
  h = await startHarness({ NOTIFY_URL: receiver.url, NOTIFY_RETRY_FOR: '12s', BUSY_POLL_INTERVAL: '2s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const accepted = (type: string, pred: (r: ReceivedNotification) => boolean = () => true) =>
  receiver.received.filter((r) => r.type === type && r.status === 200 && pred(r));
const deliveriesOf = (id: string) => receiver.received.filter((r) => r.id === id);
const signedAsDocumented = (r: ReceivedNotification) => isDocumentedSignature(r.signature, h.config.webhookSecret, r.raw);

async function listed(pred: (n: Listed) => boolean, status?: string): Promise<Listed | undefined> {
  const list = await h.api<{ notifications: Listed[] }>('GET', `/v1/notifications?limit=500${status ? `&status=${status}` : ''}`);
  return list.body.notifications.find(pred);
}

/** The connection.connected event of a new connection, once the receiver accepted it. */
async function connectedDelivered(connectionId: string): Promise<ReceivedNotification> {
  return eventually(
    () => accepted('connection.connected', (r) => r.data['connectionId'] === connectionId)[0],
    'connection.connected delivered',
  );
}

describe('notifications to the booking system', () => {
  it('connection.connected arrives once, signed, even though the endpoint refused the first two deliveries', async () => {
    const userId = h.id('u');
    const { connectionId } = await h.connectGoogle(userId);
    const event = await connectedDelivered(connectionId);
    expect(event.data).toMatchObject({ userId, connectionId, reconnect: false });
    const attempts = deliveriesOf(event.id);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(attempts.map((r) => [signedAsDocumented(r), r.idempotencyKey])).toEqual(attempts.map(() => [true, event.id]));
    expect(await listed((n) => n.id === event.id, 'delivered')).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it(
    'connection.needs_reauth once when the grant is revoked; booking.sync_failed is retried, then listed as failed',
    { timeout: 120_000 },
    async () => {
      const userId = h.id('u');
      const { connectionId, email } = await h.connectGoogle(userId);
      await h.google.revoke(email);
      await h.google.expireAccessTokens(email);
      await eventually(
        () => (accepted('connection.needs_reauth', (r) => r.data['connectionId'] === connectionId).length > 0 ? true : undefined),
        'needs_reauth delivered',
      );

      const tutor = h.id('t');
      const t = await h.connectGoogle(tutor);
      await h.google.addFault({
        method: 'POST',
        path: '/events',
        account: t.email,
        status: 400,
        reason: 'invalid',
        message: 'Invalid value',
        times: 'always',
      });
      const bookingId = h.id('bk');
      const p: TestParticipant = { userId: tutor, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
      expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([p]))).status).toBe(202);
      const failed = await eventually(
        async () => listed((n) => n.type === 'booking.sync_failed' && n.data.bookingId === bookingId, 'failed'),
        'booking.sync_failed listed as failed',
        60_000,
      );
      expect(failed.attempts).toBeGreaterThanOrEqual(2);
      // Every attempt the service counted reached the receiver and was refused.
      expect(deliveriesOf(failed.id).map((r) => r.status)).toEqual(Array.from({ length: failed.attempts }, () => 500));
      // Polls went on all along (every 2 s while the failed event was retried): the reauth event was still sent once.
      expect(
        new Set(
          receiver.received.filter((r) => r.type === 'connection.needs_reauth' && r.data['connectionId'] === connectionId).map((r) => r.id),
        ).size,
      ).toBe(1);
    },
  );

  it('a 429 or 503 with Retry-After delays the next attempt at least that long (longer than the backoff would)', async () => {
    // The first retry would come after 2 s by backoff alone; Retry-After asks for 3. Both users at once.
    await Promise.all(
      [429, 503].map(async (status) => {
        const userId = h.id('u');
        scripts.set(userId, (attempt) => (attempt === 1 ? { status, retryAfter: '3' } : 200));
        const { connectionId } = await h.connectGoogle(userId);
        const event = await connectedDelivered(connectionId);
        const attempts = deliveriesOf(event.id);
        expect(attempts.map((r) => r.status)).toEqual([status, 200]);
        // Arrival times as the receiver saw them.
        expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(3_000);
      }),
    );
  });

  it('an unreachable NOTIFY_URL leaves the event pending, retried, and it is delivered once the receiver is back', async () => {
    const userId = h.id('u');
    scripts.set(userId, () => 200);
    await receiver.stop();
    let connectionId: string;
    try {
      ({ connectionId } = await h.connectGoogle(userId));
      const pending = await eventually(
        async () => listed((n) => n.type === 'connection.connected' && n.data.connectionId === connectionId && n.attempts > 0),
        'a failed attempt recorded',
      );
      expect(pending).toMatchObject({ status: 'pending', lastError: expect.stringContaining('NOTIFY_URL unreachable') });
    } finally {
      await receiver.start();
    }
    const event = await connectedDelivered(connectionId);
    expect(deliveriesOf(event.id).map((r) => [r.status, signedAsDocumented(r)])).toEqual([[200, true]]);
    const delivered = await listed((n) => n.id === event.id);
    expect(delivered?.status).toBe('delivered');
    // The attempts that could not connect were counted before the one that arrived.
    expect(delivered!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('refuses a bad status filter', async () => {
    expect((await h.api('GET', '/v1/notifications?status=lost')).status).toBe(400);
    expect((await h.api('GET', '/v1/notifications', undefined, { key: null })).status).toBe(401);
  });
});
