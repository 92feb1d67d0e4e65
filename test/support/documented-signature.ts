import { createHmac } from 'node:crypto';

/**
 * The README's signature recipe, written out here with `node:crypto` alone so the tests never
 * check the service's signatures with the service's own code (a mistake made on both sides
 * would pass): `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, t + "." + raw body)>`,
 * the secret's text as the key, accepted within 5 minutes of now.
 */
export const DOCUMENTED_TOLERANCE_SECONDS = 5 * 60;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The `v1` value for this timestamp and body. */
export function documentedV1(secret: string, t: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${t}.`), Buffer.from(rawBody)]))
    .digest('hex');
}

/** A whole header; extra `v1` values (e.g. signatures under other secrets) go after the first. */
export function documentedHeader(secret: string, rawBody: string, t = nowSeconds(), extraV1: string[] = []): string {
  return [`t=${t}`, `v1=${documentedV1(secret, t, rawBody)}`, ...extraV1.map((v) => `v1=${v}`)].join(',');
}

/**
 * Whether a header the service sent is exactly what the recipe gives for these bytes: one `t`
 * within the tolerance, one `v1` equal to the HMAC computed here.
 */
export function isDocumentedSignature(header: string | undefined, secret: string, rawBody: Buffer): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  return Math.abs(nowSeconds() - t) <= DOCUMENTED_TOLERANCE_SECONDS && m[2] === documentedV1(secret, t, rawBody);
}
