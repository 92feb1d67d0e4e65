import { randomBytes, randomUUID } from 'node:crypto';
import { verifyNotification } from 'calsync-client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBody, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type ApiResponse, type Harness } from '../support/harness';
import { startNotifyReceiver, type NotifyAnswer, type ReceivedNotification } from '../support/notify-receiver';

type Receiver = Awaited<ReturnType<typeof startNotifyReceiver>>;
interface Listed {
  id: string;
  type: string;
  data: Record<string, unknown>;
  status: string;
  attempts: number;
  createdAt: string;
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
/** NOTIFY_SECRETS during a rotation: the old and the new secret; a receiver holding either accepts. */
const notifySecrets = [newSecret(), newSecret()];
/** WEBHOOK_SECRETS: what the booking system signs its webhooks with. */
const incomingSecret = newSecret();

const scripts = new Map<string, (attempt: number) => NotifyAnswer>();
let receiver: Receiver;
let h: Harness;

beforeAll(async () => {
  receiver = await startNotifyReceiver((n, attempt) => scripts.get(String(n.data['userId']))?.(attempt) ?? 200);
  h = await startHarness({
    NOTIFY_URL: receiver.url,
    NOTIFY_RETRY_FOR: '8s',
    NOTIFY_SECRETS: notifySecrets.join(', '),
    WEBHOOK_SECRETS: incomingSecret,
  });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const webhookHeaders = (r: ReceivedNotification) => ({
  'webhook-id': r.headers['webhook-id'] ?? '',
  'webhook-timestamp': r.headers['webhook-timestamp'] ?? '',
  'webhook-signature': r.headers['webhook-signature'] ?? '',
});

/** What the library's own verifier says of a delivery under `secret`: the parsed body, or the error. */
function verified(secret: string, r: ReceivedNotification, raw: Buffer | string = r.raw): unknown {
  try {
    return new Webhook(secret).verify(raw, webhookHeaders(r));
  } catch (err) {
    return err instanceof Error ? err.name : 'error';
  }
}

const deliveriesOf = (id: string) => receiver.received.filter((r) => r.id === id);

async function listed(id: string): Promise<Listed | undefined> {
  const list = await h.api<{ notifications: Listed[] }>('GET', '/v1/notifications?limit=500');
  return list.body.notifications.find((n) => n.id === id);
}

function connectedOf(connectionId: string): ReceivedNotification | undefined {
  return receiver.received.find((r) => r.type === 'connection.connected' && r.data['connectionId'] === connectionId);
}

describe('outgoing notifications as Standard Webhooks', () => {
  it('every attempt verifies with the library under each NOTIFY_SECRETS entry, with the same webhook-id; tampering fails', async () => {
    const userId = h.id('u');
    scripts.set(userId, (attempt) => (attempt === 1 ? 503 : 200));
    const { connectionId } = await h.connectGoogle(userId);
    const id = (await eventually(() => connectedOf(connectionId), 'connection.connected sent')).id;
    const attempts = await eventually(
      () => (deliveriesOf(id).some((r) => r.status === 200) ? deliveriesOf(id) : undefined),
      'connection.connected delivered',
    );
    expect(attempts.map((r) => r.status)).toEqual([503, 200]);
    for (const r of attempts) {
      const body = JSON.parse(r.raw.toString('utf8')) as unknown;
      expect(notifySecrets.map((s) => verified(s, r))).toEqual([body, body]);
      // The client's helper over a rotation list: either entry alone verifies; an unknown secret first is passed over.
      expect(verifyNotification(r.raw, r.headers, [notifySecrets[1]!])).toEqual(body);
      expect(verifyNotification(r.raw, r.headers, [newSecret(), ...notifySecrets])).toMatchObject({ id, type: 'connection.connected' });
      expect(r.headers['webhook-id']).toBe(id);
      expect(r.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      // WEBHOOK_SECRET is set too: the deprecated X-Signature still comes along.
      expect(r.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
    // Each attempt is signed when it is sent.
    expect(Number(attempts[1]!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Number(attempts[0]!.headers['webhook-timestamp']));

    const r = attempts[1]!;
    const tampered = Buffer.from(r.raw.toString('utf8').replace(userId, h.id('other')));
    expect(verified(notifySecrets[0]!, r, tampered)).toBe('WebhookVerificationError');
    expect(verified(newSecret(), r)).toBe('WebhookVerificationError');
    expect(() => verifyNotification(tampered, r.headers, notifySecrets)).toThrow();
    expect(verified(notifySecrets[0]!, { ...r, headers: { ...r.headers, 'webhook-id': randomUUID() } })).toBe('WebhookVerificationError');
  });

  it(
    'a failed notification is redelivered on request: same webhook-id, newly signed, then listed as delivered',
    { timeout: 90_000 },
    async () => {
      const userId = h.id('u');
      let refusing = true;
      scripts.set(userId, () => (refusing ? 500 : 200));
      const { connectionId } = await h.connectGoogle(userId);
      const id = (await eventually(() => connectedOf(connectionId), 'connection.connected sent')).id;
      const failed = await eventually(async () => {
        const n = await listed(id);
        return n?.status === 'failed' ? n : undefined;
      }, 'listed as failed');
      const refusedAttempts = deliveriesOf(id).length;
      expect(refusedAttempts).toBe(failed.attempts);

      refusing = false;
      const redelivery = await h.api<Listed>('POST', `/v1/notifications/${id}/redeliver`);
      expect([redelivery.status, redelivery.body.id, redelivery.body.status]).toEqual([202, id, 'pending']);
      const arrived = await eventually(() => deliveriesOf(id).find((r) => r.status === 200), 'the redelivery arrived');
      expect(arrived.headers['webhook-id']).toBe(id);
      expect(arrived.idempotencyKey).toBe(id);
      const body = JSON.parse(arrived.raw.toString('utf8')) as unknown;
      expect(notifySecrets.map((s) => verified(s, arrived))).toEqual([body, body]);
      await eventually(async () => ((await listed(id))?.status === 'delivered' ? true : undefined), 'listed as delivered');
      expect(deliveriesOf(id)).toHaveLength(refusedAttempts + 1);

      // Asking again sends it again (a receiver dedupes on webhook-id); unknown ids are 404.
      expect((await h.api('POST', `/v1/notifications/${id}/redeliver`)).status).toBe(202);
      await eventually(() => (deliveriesOf(id).length === refusedAttempts + 2 ? true : undefined), 'the second redelivery');
      expect(new Set(deliveriesOf(id).map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
      expect((await h.api('POST', `/v1/notifications/${randomUUID()}/redeliver`)).status).toBe(404);
      expect((await h.api('POST', '/v1/notifications/not-a-uuid/redeliver')).status).toBe(404);
      expect((await h.api('POST', `/v1/notifications/${id}/redeliver`, undefined, { key: null })).status).toBe(401);
    },
  );

  it('connection.bulk_sync_completed arrives once after a connect with bookings to bring in', async () => {
    const userId = h.id('u');
    const bookingIds = [h.id('bk'), h.id('bk')];
    const p: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    for (const [i, bookingId] of bookingIds.entries()) {
      const body = confirmBody([p], { start: `2030-06-0${i + 1}T10:00:00Z`, end: `2030-06-0${i + 1}T11:00:00Z` });
      expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
      await settled(h, bookingId);
    }
    const { connectionId } = await h.connectGoogle(userId);
    const completed = await eventually(
      () => receiver.received.find((r) => r.type === 'connection.bulk_sync_completed' && r.data['connectionId'] === connectionId),
      'bulk_sync_completed delivered',
    );
    expect(completed.data).toEqual({ connectionId, userId, provider: 'google', counts: { bookings: 2 } });
    const body = JSON.parse(completed.raw.toString('utf8')) as unknown;
    expect(notifySecrets.map((s) => verified(s, completed))).toEqual([body, body]);
    // The connected notice came first; the bulk sync's end is told once.
    await eventually(() => connectedOf(connectionId), 'connection.connected');
    await settled(h, bookingIds[1]!, (v) => v.calendars.some((c) => c.state === 'synced'));
    expect(
      receiver.received.filter((r) => r.type === 'connection.bulk_sync_completed' && r.data['connectionId'] === connectionId),
    ).toHaveLength(1);
  });

  it('GET /v1/notifications pages with a cursor: every notification exactly once, the filter kept', async () => {
    const all = (await h.api<{ notifications: Listed[]; nextCursor: string | null }>('GET', '/v1/notifications?limit=500')).body;
    expect(all.notifications.length).toBeGreaterThanOrEqual(5);
    expect(all.nextCursor).toBeNull();
    const top = all.notifications[0]!.createdAt;

    const paged: Listed[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse<{ notifications: Listed[]; nextCursor: string | null }> = await h.api(
        'GET',
        `/v1/notifications?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.notifications.length).toBeLessThanOrEqual(2);
      paged.push(...res.body.notifications);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 500);
    // Notifications recorded while paging are newer than the first page: left out, not repeated.
    const before = (n: Listed) => n.createdAt <= top;
    expect(paged.filter(before).map((n) => n.id)).toEqual(all.notifications.filter(before).map((n) => n.id));
    expect(new Set(paged.map((n) => n.id)).size).toBe(paged.length);

    const delivered = await h.api<{ notifications: Listed[] }>('GET', '/v1/notifications?status=delivered&limit=1');
    expect(delivered.body.notifications.map((n) => n.status)).toEqual(['delivered']);
    const bad = await h.api<{ code: string }>('GET', '/v1/notifications?cursor=bm90LW91cnM');
    expect(bad.status).toBe(400);
  });
});

/** Delivers a booking webhook signed with Standard Webhooks (the library's own signer), at `at`. */
function deliverStandard<T = unknown>(
  event: { id: string },
  opts: { secret?: string; at?: Date; raw?: string; webhookId?: string } = {},
): Promise<ApiResponse<T>> {
  const raw = JSON.stringify(event);
  const at = opts.at ?? new Date();
  const webhookId = opts.webhookId ?? event.id;
  return h.api<T>('POST', '/v1/webhooks/bookings', undefined, {
    key: null,
    rawBody: opts.raw ?? raw,
    headers: {
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(opts.secret ?? incomingSecret).sign(webhookId, at, raw),
    },
  });
}

async function receiptCount(eventId: string): Promise<number> {
  const { rows } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM webhook_receipts WHERE id = $1', [eventId]);
  return Number(rows[0]!.n);
}

describe('incoming booking webhooks as Standard Webhooks', () => {
  const event = () => {
    const p: TestParticipant = { userId: h.id('u'), role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    return {
      id: h.id('evt'),
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId: h.id('swh'), ...confirmBody([p]) },
    };
  };

  it('accepts a verified confirm, applies a replay of its webhook-id once, and refuses tampering with 401', async () => {
    const confirmed = event();
    const first = await deliverStandard<{ accepted: string }>(confirmed);
    expect([first.status, first.body.accepted]).toEqual([202, 'booking.confirmed']);
    await settled(h, confirmed.data.bookingId);

    const replay = await deliverStandard<{ duplicate: boolean }>(confirmed);
    expect([replay.status, replay.body.duplicate]).toEqual([200, true]);
    expect(await receiptCount(confirmed.id)).toBe(1);

    const other = event();
    const tampered = JSON.stringify({ ...other, data: { ...other.data, title: 'Changed in transit' } });
    const refusals = await Promise.all([
      deliverStandard(other, { raw: tampered }),
      deliverStandard(other, { secret: newSecret() }),
      deliverStandard(other, { at: new Date(Date.now() - 10 * 60_000) }),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(await receiptCount(other.id)).toBe(0);
    expect((await h.api('GET', `/v1/bookings/${other.data.bookingId}`)).status).toBe(404);

    // One event id to deduplicate on: webhook-id must be the body's id.
    const mismatch = await deliverStandard<{ code: string }>(other, { webhookId: h.id('evt') });
    expect(mismatch.status).toBe(400);
    expect(await receiptCount(other.id)).toBe(0);
  });
});
