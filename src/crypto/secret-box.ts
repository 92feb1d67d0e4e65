import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KeyringEntry } from './keyring';

/** The form new values are sealed in: AES-256-GCM under a subkey derived from the ENCRYPTION_KEYS entry. */
const VERSION = 'v2';
/** The earlier form, sealed under the ENCRYPTION_KEYS entry itself: still opened, re-sealed by `reencrypt`. */
const LEGACY_VERSION = 'v1';
/**
 * HKDF label of the stored-secrets subkey. The raw ENCRYPTION_KEYS bytes are also the HKDF input of
 * the signer, channel secrets and payload codec, so stored secrets get a key of their own too.
 */
const SUBKEY_INFO = 'calsync stored secrets v2';
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

interface BoxKeys {
  /** v2: the HKDF subkey for stored secrets. */
  sealing: Buffer;
  /** v1: the raw entry, for values sealed before the subkey existed. */
  legacy: Buffer;
}

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV and the key id in each ciphertext
 * (`v2:<keyId>:<base64url(iv | ciphertext | tag)>`), under a subkey derived with HKDF from the
 * ENCRYPTION_KEYS entry. `v1:` values (sealed under the entry's raw bytes) still open, until
 * `reencrypt` re-seals them as `v2:`. The additional authenticated data binds a ciphertext to
 * where it is stored (e.g. `calendar_connections.refresh_token:<id>`), so a value copied into
 * another row or column fails to open instead of being used.
 */
export class SecretBox {
  private readonly byId: Map<string, BoxKeys>;

  constructor(private readonly keys: KeyringEntry[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    this.byId = new Map(
      keys.map((k) => [k.id, { sealing: Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), SUBKEY_INFO, 32)), legacy: k.key }]),
    );
  }

  /** The id of the key that seals new values. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  /** How every value sealed now begins (version and key id): a stored value without it is due for re-sealing. */
  get currentPrefix(): string {
    return `${VERSION}:${this.currentKeyId}:`;
  }

  seal(plaintext: string, aad: string): string {
    const id = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.byId.get(id)!.sealing, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return `${VERSION}:${id}:${packed.toString('base64url')}`;
  }

  open(sealed: string, aad: string): string {
    const [version, keyId, payload, extra] = sealed.split(':');
    if ((version !== VERSION && version !== LEGACY_VERSION) || !keyId || !payload || extra !== undefined) {
      throw new DecryptionError('malformed', 'value is not a sealed secret');
    }
    const keys = this.byId.get(keyId);
    if (!keys) throw new DecryptionError('unknown_key', `sealed with key "${keyId}", which is not in ENCRYPTION_KEYS`);
    const packed = Buffer.from(payload, 'base64url');
    if (packed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('malformed', 'sealed value is truncated');
    const key = version === VERSION ? keys.sealing : keys.legacy;
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
