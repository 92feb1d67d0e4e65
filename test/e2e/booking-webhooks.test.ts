import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../src/db/pool';
import { bookingWorkflowId, confirmSignal } from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip, type TestParticipant } from '../support/bookings';
import { documentedHeader, documentedV1, nowSeconds as now } from '../support/documented-signature';
import { eventually, startHarness, type ApiResponse, type Harness } from '../support/harness';

let h: Harness;
/** Receipts written before the service starts, dated just past and just within the 30 days kept. */
const aged = { expired: `purge-${randomBytes(6).toString('hex')}`, kept: `purge-${randomBytes(6).toString('hex')}` };
beforeAll(async () => {
  const pool = createPool(inject('databaseUrl'), 1);
  try {
    await pool.query(
      `INSERT INTO webhook_receipts (id, type, booking_id, body_sha256, received_at, applied_at)
       VALUES ($1, 'booking.cancelled', 'purge-test', 'x', now() - interval '30 days 1 hour', now() - interval '30 days 1 hour'),
              ($2, 'booking.cancelled', 'purge-test', 'x', now() - interval '29 days 23 hours', now() - interval '29 days 23 hours')`,
      [aged.expired, aged.kept],
    );
  } finally {
    await pool.end();
  }
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Delivers a webhook the way a booking system does: the exact bytes, signed at `at`. */
function deliver<T = unknown>(
  event: unknown,
  opts: { at?: number; secret?: string; signature?: string | null; raw?: string } = {},
): Promise<ApiResponse<T>> {
  const raw = opts.raw ?? JSON.stringify(event);
  const signature = opts.signature === undefined ? documentedHeader(opts.secret ?? h.config.webhookSecret, raw, opts.at) : opts.signature;
  return h.api<T>('POST', '/v1/webhooks/bookings', undefined, {
    key: null,
    rawBody: raw,
    headers: signature === null ? {} : { 'x-signature': signature },
  });
}

/** A participant without a calendar: enough where only the webhook's answer and what Temporal recorded matter. */
const unconnected = (): TestParticipant => ({ userId: h.id('u'), role: 'tutor', name: 'Ada', email: 'ada@example.com' });

async function receiptCount(eventId: string): Promise<number> {
  const { rows } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM webhook_receipts WHERE id = $1', [eventId]);
  return Number(rows[0]!.n);
}

describe('signed booking webhooks', () => {
  it('apply confirm, reschedule and cancel; a redelivered event is acknowledged and not applied again', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('wh');
    const confirmed = {
      id: h.id('evt'),
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId, ...confirmBody([strip(tutor), strip(client)]) },
    };
    const first = await deliver<{ accepted: string }>(confirmed);
    expect([first.status, first.body.accepted]).toEqual([202, 'booking.confirmed']);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);

    const moved = {
      id: h.id('evt'),
      type: 'booking.rescheduled',
      occurredAt: '2026-11-21T10:05:00Z',
      data: { bookingId, start: '2030-05-02T15:00:00Z', end: '2030-05-02T16:00:00Z' },
    };
    expect((await deliver(moved)).status).toBe(202);
    await settled(h, bookingId, (v) => v.start === '2030-05-02T15:00:00Z');

    // The confirm again (a sender retry, freshly signed): acknowledged, and it must not move
    // the booking back to its first time, which re-applying it would.
    const again = await deliver<{ duplicate: boolean }>(confirmed);
    expect([again.status, again.body.duplicate]).toEqual([200, true]);
    await settled(h, bookingId);
    expect((await getBooking(h, bookingId)).start).toBe('2030-05-02T15:00:00Z');
    const [event] = await eventsFor(h, tutor.calendar, bookingId);
    expect(event?.start?.dateTime && Date.parse(event.start.dateTime)).toBe(Date.parse('2030-05-02T15:00:00Z'));

    const cancelled = {
      id: h.id('evt'),
      type: 'booking.cancelled',
      occurredAt: '2026-11-21T10:10:00Z',
      data: { bookingId, reason: 'ill' },
    };
    expect((await deliver(cancelled)).status).toBe(202);
    await settled(h, bookingId, (v) => v.status === 'cancelled' && v.calendars.every((c) => c.state === 'deleted'));
    expect(await eventsFor(h, tutor.calendar, bookingId)).toHaveLength(0);
  });

  it('refuse missing, malformed, forged, tampered and stale signatures, storing nothing', async () => {
    const bookingId = h.id('wh');
    const event = { id: h.id('evt'), type: 'booking.cancelled', occurredAt: '2026-11-21T10:00:00Z', data: { bookingId } };
    const raw = JSON.stringify(event);
    const cases: Array<[string, Promise<ApiResponse<{ code: string; detail: string }>>]> = [
      ['missing', deliver(event, { signature: null })],
      ['malformed', deliver(event, { signature: 'sha256=abc' })],
      ['wrong secret', deliver(event, { secret: 'not-the-secret' })],
      [
        'tampered body',
        deliver(event, {
          signature: documentedHeader(h.config.webhookSecret, raw),
          raw: raw.replace('"booking.cancelled"', '"booking.confirmed"'),
        }),
      ],
      ['replayed 10 minutes later', deliver(event, { at: now() - 600 })],
      ['signed in the future', deliver(event, { at: now() + 600 })],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      expect([what, res.status, res.body.code]).toEqual([what, 401, 'invalid_signature']);
    }
    expect(await receiptCount(event.id)).toBe(0);
    // Within the tolerance the same event is accepted (a 404 here: the booking is unknown).
    expect((await deliver(event, { at: now() - 120 })).status).toBe(404);
  });

  it('refuse an id reused for another event, and bad bodies even when signed', async () => {
    const { tutor } = await connectedPair(h);
    const bookingId = h.id('wh');
    const id = h.id('evt');
    const confirmed = {
      id,
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId, ...confirmBody([strip(tutor)]) },
    };
    expect((await deliver(confirmed)).status).toBe(202);
    const reused = await deliver<{ code: string }>({ ...confirmed, data: { ...confirmed.data, title: 'Something else' } });
    expect([reused.status, reused.body.code]).toEqual([409, 'webhook_id_reused']);

    const bad: Array<[string, unknown, string?]> = [
      ['unknown type', { id: h.id('evt'), type: 'booking.deleted', occurredAt: '2026-11-21T10:00:00Z', data: { bookingId } }],
      ['unknown field', { id: h.id('evt'), type: 'booking.cancelled', occurredAt: '2026-11-21T10:00:00Z', data: { bookingId }, extra: 1 }],
      ['no id', { type: 'booking.cancelled', occurredAt: '2026-11-21T10:00:00Z', data: { bookingId } }],
      [
        'end before start',
        {
          id: h.id('evt'),
          type: 'booking.rescheduled',
          occurredAt: '2026-11-21T10:00:00Z',
          data: { bookingId, start: '2030-05-02T15:00:00Z', end: '2030-05-02T14:00:00Z' },
        },
      ],
      ['not JSON', undefined, '{"id":'],
    ];
    for (const [what, event, raw] of bad) {
      const res = await deliver<{ code: string }>(event, raw === undefined ? {} : { raw });
      expect([what, res.status]).toEqual([what, 400]);
    }
    const { rows } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM webhook_receipts WHERE booking_id = $1', [bookingId]);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('a change that arrives before its booking is refused (404) and applied when the sender retries', async () => {
    const { tutor } = await connectedPair(h);
    const bookingId = h.id('wh');
    const early = {
      id: h.id('evt'),
      type: 'booking.rescheduled',
      occurredAt: '2026-11-21T10:05:00Z',
      data: { bookingId, version: 2, start: '2030-05-03T09:00:00Z', end: '2030-05-03T10:00:00Z' },
    };
    expect((await deliver(early)).status).toBe(404);
    const confirmed = {
      id: h.id('evt'),
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId, version: 1, ...confirmBody([strip(tutor)]) },
    };
    expect((await deliver(confirmed)).status).toBe(202);
    expect((await deliver(early)).status).toBe(202);
    await settled(h, bookingId, (v) => v.start === '2030-05-03T09:00:00Z');
    expect(await receiptCount(early.id)).toBe(1);
  });

  it('accept a header whose one valid v1 sits among invalid ones, and refuse one where every v1 is invalid', async () => {
    const bookingId = h.id('wh');
    const event = {
      id: h.id('evt'),
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId, ...confirmBody([unconnected()]) },
    };
    const raw = JSON.stringify(event);
    const t = now();
    const old = documentedV1('the-previous-secret', t, raw);
    const other = documentedV1('another-secret', t, raw);
    const good = documentedV1(h.config.webhookSecret, t, raw);
    const refused = await deliver<{ code: string }>(event, { signature: `t=${t},v1=${old},v1=${other},v1=not-hex` });
    expect([refused.status, refused.body.code]).toEqual([401, 'invalid_signature']);
    expect(await receiptCount(event.id)).toBe(0);
    const first = await deliver(event, { signature: `t=${t},v1=${old},v1=${good},v1=${other}` });
    expect(first.status).toBe(202);
    expect(await receiptCount(event.id)).toBe(1);
  });

  it('keep to 5 minutes either side of now', async () => {
    const event = { id: h.id('evt'), type: 'booking.cancelled', occurredAt: '2026-11-21T10:00:00Z', data: { bookingId: h.id('wh') } };
    // 10 s inside and outside the tolerance on both sides (the booking is unknown: 404 once the signature passed).
    for (const [offset, status] of [
      [-290, 404],
      [290, 404],
      [-310, 401],
      [310, 401],
    ] as const) {
      const res = await deliver(event, { at: now() + offset });
      expect([offset, res.status]).toEqual([offset, status]);
    }
  });

  it('purge receipts older than 30 days when the service starts, and keep younger ones', async () => {
    const present = async (id: string) => (await receiptCount(id)) === 1;
    await eventually(async () => ((await present(aged.expired)) ? undefined : true), 'the 30-day-old receipt purged');
    expect(await present(aged.kept)).toBe(true);
  });

  it('apply concurrent deliveries of one event once: one 202, the others acknowledged as duplicates', async () => {
    const bookingId = h.id('wh');
    const event = {
      id: h.id('evt'),
      type: 'booking.confirmed',
      occurredAt: '2026-11-21T10:00:00Z',
      data: { bookingId, ...confirmBody([unconnected()]) },
    };
    const raw = JSON.stringify(event);
    const signature = documentedHeader(h.config.webhookSecret, raw);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => deliver<{ duplicate?: boolean; accepted?: string }>(event, { raw, signature })),
    );
    expect(answers.map((a) => `${a.status} ${a.body.accepted ?? ''}${a.body.duplicate ?? ''}`).sort()).toEqual([
      '200 true',
      '200 true',
      '200 true',
      '200 true',
      '202 booking.confirmed',
    ]);
    const history = await h.service.client.workflow.getHandle(bookingWorkflowId(bookingId)).fetchHistory();
    const confirms = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === confirmSignal.name);
    expect(confirms).toHaveLength(1);
  });
});
