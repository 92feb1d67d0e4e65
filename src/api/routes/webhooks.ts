import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import type { WebhookReceipts } from '../../db/webhook-receipts';
import type { BookingResult, Bookings } from '../../application/bookings';
import { bookingApiError } from '../booking-errors';
import { ApiError, validationError } from '../errors';
import { webhookAcceptedSchema, webhookDuplicateSchema } from '../responses/booking-webhooks';
import { webhookEventSchema, type WebhookEvent } from '../schemas';
import { sendJson } from '../send-json';
import { verifyStandardWebhook } from '../../crypto/standard-webhooks';
import { verifySignature, type SignatureProblem } from '../../crypto/webhook-signature';

const SIGNATURE_MESSAGES: Record<SignatureProblem, string> = {
  missing: 'missing X-Signature header (t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, t + "." + raw body)>)',
  malformed: 'X-Signature must look like t=<unix seconds>,v1=<64 hex digits>',
  stale: 'X-Signature timestamp is more than 5 minutes from now: sign each delivery when it is sent',
  mismatch: 'X-Signature does not match the body',
};

export interface WebhookRouteDeps {
  /** WEBHOOK_SECRET: the HMAC key of `X-Signature`. */
  webhookSecret: string;
  /** WEBHOOK_SECRETS: Standard Webhooks secrets accepted (`whsec_…`; any one matching); empty = none. */
  standardSecrets: readonly string[];
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
 * Authenticates the exact bytes received: Standard Webhooks when any `webhook-*` header is sent
 * (verified by the `standardwebhooks` library), else `X-Signature`. Returns the `webhook-id`, if any.
 */
function authenticate(req: express.Request, raw: Buffer, webhookSecret: string, standardSecrets: readonly string[]): string | undefined {
  const standard = { id: req.get('webhook-id'), timestamp: req.get('webhook-timestamp'), signature: req.get('webhook-signature') };
  if (standard.id !== undefined || standard.timestamp !== undefined || standard.signature !== undefined) {
    const check = verifyStandardWebhook(standardSecrets, raw, standard);
    if (!check.ok) throw new ApiError(401, 'invalid_signature', check.message);
    return check.id;
  }
  const check = verifySignature(req.get('x-signature'), webhookSecret, raw);
  if (!check.ok) throw new ApiError(401, 'invalid_signature', SIGNATURE_MESSAGES[check.problem]);
  return undefined;
}

/**
 * `POST /v1/webhooks/bookings`: booking changes pushed by the booking system, authenticated by
 * an HMAC over the exact bytes sent (so it reads the raw body; mounted before the JSON parser).
 * A redelivered event id, even one arriving while the first delivery is being applied, is
 * acknowledged without being applied again; with Standard Webhooks the `webhook-id` must be the
 * body's `id`, so there is one key to deduplicate on.
 */
export function webhookRoutes({ webhookSecret, standardSecrets, bookings, receipts, bodyLimit }: WebhookRouteDeps): Router {
  const router = Router();
  router.post('/v1/webhooks/bookings', express.raw({ type: () => true, limit: bodyLimit }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const webhookId = authenticate(req, raw, webhookSecret, standardSecrets);
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
    if (webhookId !== undefined && webhookId !== event.id)
      throw new ApiError(400, 'webhook_id_mismatch', "webhook-id must equal the body's id (the event id redeliveries are recognised by)");

    const outcome = await receipts.applyOnce(
      { id: event.id, type: event.type, bookingId: event.data.bookingId, bodySha256: createHash('sha256').update(raw).digest('hex') },
      () => apply(bookings, event),
    );
    if (outcome === 'conflict') throw new ApiError(409, 'webhook_id_reused', `event id ${event.id} was already used for a different event`);
    if (outcome === 'duplicate') return sendJson(res, 200, webhookDuplicateSchema, { id: event.id, duplicate: true });
    sendJson(res, 202, webhookAcceptedSchema, { id: event.id, accepted: event.type });
  });
  return router;
}
