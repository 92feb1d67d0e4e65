import { Webhook } from 'standardwebhooks';
import type { Notification } from './types';

/**
 * Verifies a notification's Standard Webhooks signature (`webhook-id`, `webhook-timestamp` within
 * 5 minutes, `webhook-signature`) against each secret of a rotation list (NOTIFY_SECRETS' `whsec_…`
 * values) and returns its parsed body; throws when no secret verifies it.
 */
export function verifyNotification(
  rawBody: string | Buffer,
  headers: Record<string, string | string[] | undefined> | Headers,
  secrets: readonly string[],
): Notification {
  if (secrets.length === 0) throw new Error('verifyNotification: no secrets given');
  const flat = flatHeaders(headers);
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      return new Webhook(secret).verify(rawBody, flat) as Notification;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** Node's `IncomingHttpHeaders` or fetch's `Headers` as lower-case name → value. */
function flatHeaders(headers: Record<string, string | string[] | undefined> | Headers): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
