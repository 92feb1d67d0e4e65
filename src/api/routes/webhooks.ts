import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import type { WebhookReceipts } from '../../db/webhook-receipts';
import type { BookingResult, Bookings } from '../../application/bookings';
import { bookingApiError } from '../booking-errors';
import { ApiError, validationError } from '../errors';
import { webhookEventSchema, type WebhookEvent } from '../schemas';
import { verifySignature, type SignatureProblem } from '../../crypto/webhook-signature';

const SIGNATURE_MESSAGES: Record<SignatureProblem, string> = {
  missing: 'missing X-Signature header (t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, t + "." + raw body)>)',
  malformed: 'X-Signature must look like t=<unix seconds>,v1=<64 hex digits>',
  stale: 'X-Signature timestamp is more than 5 minutes from now: sign each delivery when it is sent',
  mismatch: 'X-Signature does not match the body',
};

export interface WebhookRouteDeps {
  webhookSecret: string;
  bookings: Bookings;
  receipts: WebhookReceipts;
  bodyLimit: string;
}

function change(bookings: Bookings, event: WebhookEvent): Promise<BookingResult> {
  if (event.type === 'booking.confirmed') {
    const { bookingId, version, ...booking } = event.data;
    return bookings.confirm(bookingId, { version, booking });
  }
  if (event.type === 'booking.rescheduled') {
    const { bookingId, ...rest } = event.data;
    return bookings.reschedule(bookingId, rest);
  }
  const { bookingId, ...rest } = event.data;
  return bookings.cancel(bookingId, rest);
}

/** Applies the event; a refusal throws, so its receipt is not kept and a redelivery is judged again. */
async function apply(bookings: Bookings, event: WebhookEvent): Promise<void> {
  const result = await change(bookings, event);
  if (!result.ok) throw bookingApiError(event.data.bookingId, result.error);
}

/**
 * `POST /v1/webhooks/bookings`: booking changes pushed by the booking system, authenticated by
 * an HMAC over the exact bytes sent (so it reads the raw body; mounted before the JSON parser).
 * A redelivered event id, even one arriving while the first delivery is being applied, is
 * acknowledged without being applied again.
 */
export function webhookRoutes({ webhookSecret, bookings, receipts, bodyLimit }: WebhookRouteDeps): Router {
  const router = Router();
  router.post('/v1/webhooks/bookings', express.raw({ type: () => true, limit: bodyLimit }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifySignature(req.get('x-signature'), webhookSecret, raw);
    if (!check.ok) throw new ApiError(401, 'invalid_signature', SIGNATURE_MESSAGES[check.problem]);
    if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');

    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    } catch {
      throw new ApiError(400, 'invalid_json', 'request body is not valid UTF-8 JSON');
    }
    const parsed = webhookEventSchema.safeParse(json);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const event = parsed.data;

    const outcome = await receipts.applyOnce(
      { id: event.id, type: event.type, bookingId: event.data.bookingId, bodySha256: createHash('sha256').update(raw).digest('hex') },
      () => apply(bookings, event),
    );
    if (outcome === 'conflict') throw new ApiError(409, 'webhook_id_reused', `event id ${event.id} was already used for a different event`);
    if (outcome === 'duplicate') return res.status(200).json({ id: event.id, duplicate: true });
    res.status(202).json({ id: event.id, accepted: event.type });
  });
  return router;
}
