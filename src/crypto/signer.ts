import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { KeyringEntry } from './keyring';

/** An HMAC-SHA256 in unpadded base64url: 43 characters, the last carrying 2 zero bits. */
const CANONICAL_MAC = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * Short signed tokens (OAuth `state`, settings links): `<base64url payload>.<key id>.<base64url HMAC>`.
 * Keys are derived from ENCRYPTION_KEYS with HKDF under a purpose label, so a token for one
 * purpose is never valid for another, and key rotation keeps old tokens verifiable until they
 * expire.
 */
export class Signer {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;

  constructor(keyring: KeyringEntry[], purpose: string) {
    if (keyring.length === 0) throw new Error('Signer needs at least one key');
    this.currentId = keyring[0]!.id;
    this.keys = new Map(
      keyring.map((k) => [k.id, Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), `booking-calendar-sync:${purpose}`, 32))]),
    );
  }

  sign(payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.currentId}.${this.mac(this.currentId, body)}`;
  }

  /** The payload when the signature is valid; undefined for anything forged, truncated or unknown. */
  verify<T>(token: string): T | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [body, keyId, mac] = parts as [string, string, string];
    if (!this.keys.has(keyId)) return undefined;
    // Only the canonical spelling counts: Node's base64url decoder skips stray characters and
    // ignores the unused low bits of the last character, so several strings decode to one MAC.
    if (!CANONICAL_MAC.test(mac)) return undefined;
    const expected = Buffer.from(this.mac(keyId, body), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || given.toString('base64url') !== mac || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }

  private mac(keyId: string, body: string): string {
    return createHmac('sha256', this.keys.get(keyId)!).update(body).digest('base64url');
  }
}
