import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** `whsec_` then the base64 of at least 24 random bytes (what `openssl rand -base64 32` gives after the prefix). */
const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const MIN_SECRET_BYTES = 24;

export type SecretsParse = { ok: true; secrets: string[] } | { ok: false; problem: string };

/**
 * A list of Standard Webhooks secrets (comma or space separated), for rotation: every one signs
 * (outgoing) or is accepted (incoming). The problem names the position, never the secret.
 */
export function parseStandardSecrets(name: string, text: string | undefined): SecretsParse {
  const secrets = (text ?? '').split(/[\s,]+/).filter((s) => s.length > 0);
  for (const [i, secret] of secrets.entries()) {
    const bytes = SECRET_PATTERN.test(secret) ? Buffer.from(secret.slice('whsec_'.length), 'base64').length : 0;
    if (bytes < MIN_SECRET_BYTES) {
      return {
        ok: false,
        problem: `${name}: entry ${i + 1} must be whsec_ followed by the base64 of at least ${MIN_SECRET_BYTES} random bytes (e.g. whsec_$(openssl rand -base64 32))`,
      };
    }
  }
  return { ok: true, secrets };
}

/**
 * The three Standard Webhooks headers for one delivery attempt: `webhook-id` is the message's
 * stable id (the same on every retry, so receivers dedupe), `webhook-timestamp` the attempt's
 * time, and `webhook-signature` one `v1,<base64>` per secret, space-separated, so a receiver
 * holding either secret during a rotation accepts it.
 */
export function standardWebhookHeaders(secrets: readonly string[], id: string, body: string, at = new Date()): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  };
}

export type StandardCheck = { ok: true; id: string } | { ok: false; message: string };

/**
 * Verifies a Standard Webhooks request with the library (its timestamp tolerance is five minutes);
 * one of `secrets` matching is enough. The message says what was wrong, never what was expected.
 */
export function verifyStandardWebhook(
  secrets: readonly string[],
  rawBody: Buffer,
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
): StandardCheck {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, message: 'send webhook-id, webhook-timestamp and webhook-signature together' };
  if (secrets.length === 0)
    return { ok: false, message: 'Standard Webhooks are not configured here (WEBHOOK_SECRETS); sign with X-Signature' };
  let problem = 'webhook-signature does not match the body';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(
        rawBody,
        { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
        { jsonParse: false },
      );
      return { ok: true, id };
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      if (err.message !== 'No matching signature found')
        problem = `webhook-timestamp: ${err.message.toLowerCase()} (sign each delivery when it is sent)`;
    }
  }
  return { ok: false, message: problem };
}
