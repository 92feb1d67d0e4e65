import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyringEntry } from './keyring';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type DecryptionErrorCode = 'unknown_key' | 'malformed' | 'authentication_failed';

/** A ciphertext could not be opened. Carries no plaintext and no key material. */
export class DecryptionError extends Error {
  constructor(
    readonly code: DecryptionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV and the key id in each ciphertext
 * (`v1:<keyId>:<base64url(iv | ciphertext | tag)>`). The additional authenticated data binds a
 * ciphertext to where it is stored (e.g. `calendar_connections.refresh_token:<id>`), so a value
 * copied into another row or column fails to open instead of being used.
 */
export class SecretBox {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: KeyringEntry[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id of the key that seals new values. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  seal(plaintext: string, aad: string): string {
    const current = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return `${VERSION}:${current.id}:${packed.toString('base64url')}`;
  }

  open(sealed: string, aad: string): string {
    const [version, keyId, payload, extra] = sealed.split(':');
    if (version !== VERSION || !keyId || !payload || extra !== undefined) {
      throw new DecryptionError('malformed', 'value is not a sealed secret');
    }
    const key = this.byId.get(keyId);
    if (!key) throw new DecryptionError('unknown_key', `sealed with key "${keyId}", which is not in ENCRYPTION_KEYS`);
    const packed = Buffer.from(payload, 'base64url');
    if (packed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('malformed', 'sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(packed.subarray(packed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(packed.subarray(IV_BYTES, packed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('authentication_failed', `value sealed with key "${keyId}" failed authentication`);
    }
  }

  /** The key id a sealed value names, to find rows still under an old key. */
  static keyIdOf(sealed: string): string | undefined {
    return sealed.split(':')[1];
  }
}
