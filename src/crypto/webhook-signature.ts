import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from now: replays of old requests are refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';
export type SignatureCheck = { ok: true } | { ok: false; problem: SignatureProblem };

function hmacHex(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`. */
export function signatureHeader(secret: string, rawBody: Buffer | string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const timestamp = String(nowSeconds);
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody))}`;
}

/**
 * Verifies the header over the exact bytes received. Several `v1` values may be sent (a sender
 * rotating its secret); one match is enough. Compared in constant time.
 */
export function verifySignature(
  header: string | undefined,
  secret: string,
  rawBody: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, problem: 'missing' };
  let timestamp: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v !== undefined) timestamp = v;
    else if (k === 'v1' && v !== undefined) candidates.push(v);
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || candidates.length === 0) return { ok: false, problem: 'malformed' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, problem: 'stale' };
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  let match = false;
  for (const c of candidates) {
    if (!/^[0-9a-f]{64}$/i.test(c)) continue;
    match = timingSafeEqual(expected, Buffer.from(c, 'hex')) || match;
  }
  return match ? { ok: true } : { ok: false, problem: 'mismatch' };
}
