import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyringEntry } from '../crypto/keyring';

export const ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** Thrown when a payload names a key this deployment does not have. */
export class PayloadKeyUnavailableError extends Error {
  constructor(readonly keyId: string) {
    super(
      `payload is encrypted with key "${keyId}", which is not in ENCRYPTION_KEYS: a retired key must stay listed until no history sealed under it is kept`,
    );
    this.name = 'PayloadKeyUnavailableError';
  }
}

/**
 * Encrypts every Temporal payload (workflow and activity arguments and results, signals,
 * queries, memos, encoded failure messages) with AES-256-GCM before it leaves this process.
 * Keys are derived from ENCRYPTION_KEYS (HKDF, purpose `temporal-payload`); the key id travels
 * in the payload's metadata, so older keys keep decrypting after a rotation. Payloads written
 * before the codec existed (no `binary/encrypted` encoding) pass through unchanged.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;

  constructor(keyring: KeyringEntry[]) {
    if (keyring.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.currentId = keyring[0]!.id;
    this.keys = new Map(
      keyring.map((k) => [k.id, Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'booking-calendar-sync:temporal-payload', 32))]),
    );
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw reaches the caller as a rejection
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const key = this.keys.get(this.currentId)!;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(this.currentId));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCODING), [KEY_ID_METADATA]: utf8(this.currentId) }, data: sealed };
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw (an unknown key) reaches the caller as a rejection
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keys.get(keyId);
      if (!key) throw new PayloadKeyUnavailableError(keyId);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
