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

/** Thrown when a payload is not encrypted and no legacy window (PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL) is open. */
export class PlainPayloadRefusedError extends Error {
  readonly encoding: string;
  constructor(encoding: string) {
    // The encoding is whatever the sender wrote: named, but bounded.
    const shown = encoding.slice(0, 64);
    super(
      `refused a payload that is not encrypted (encoding "${shown}"): every payload of this service is written by the codec, so this one came from elsewhere`,
    );
    this.name = 'PlainPayloadRefusedError';
    this.encoding = shown;
  }
}

/** What the codec server needs: the worker's codec, with plain payloads shown rather than refused. */
export interface DisplayCodec {
  encode(payloads: Payload[]): Promise<Payload[]>;
  decodeForDisplay(payloads: Payload[]): Promise<Payload[]>;
}

export interface EncryptionCodecOptions {
  /** Until this moment (epoch ms), plain payloads (histories older than the codec) are decoded as they are. */
  plainAcceptedUntilMs?: number;
  /** The clock the window is read against (tests). */
  now?: () => number;
}

/**
 * Encrypts every Temporal payload (workflow and activity arguments and results, signals,
 * queries, memos, encoded failure messages) with AES-256-GCM before it leaves this process.
 * Keys are derived from ENCRYPTION_KEYS (HKDF, purpose `temporal-payload`); the key id travels
 * in the payload's metadata, so older keys keep decrypting after a rotation.
 *
 * Decoding fails closed: a payload without the `binary/encrypted` encoding is refused
 * (`PlainPayloadRefusedError`), since anyone who can reach Temporal can write one (a signal or
 * a start from the CLI or the Web UI without the codec). The worker then fails that workflow
 * task and Temporal retries it, so a forged plain signal is never delivered. The SDK runs no
 * codec on search attributes and headers, and every other payload this service writes is
 * encoded, so nothing legitimate is plain. Two exceptions: `plainAcceptedUntil`
 * (PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL) lets histories written before the codec existed be read
 * until that moment, and `decodeForDisplay` (the codec server the Web UI calls) shows plain
 * payloads as they are, since they are already readable in the history.
 */
export class EncryptionCodec implements PayloadCodec, DisplayCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;
  private readonly plainAcceptedUntilMs: number | undefined;
  private readonly now: () => number;

  constructor(keyring: KeyringEntry[], options: EncryptionCodecOptions = {}) {
    this.plainAcceptedUntilMs = options.plainAcceptedUntilMs;
    this.now = options.now ?? Date.now;
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
      if (this.isPlain(payload)) {
        if (this.plainAcceptedUntilMs !== undefined && this.now() < this.plainAcceptedUntilMs) return payload;
        throw new PlainPayloadRefusedError(text(payload.metadata?.[METADATA_ENCODING_KEY]) ?? '(none)');
      }
      return this.open(payload);
    });
  }

  /**
   * For the codec server (the Web UI, the CLI): encrypted payloads are opened, plain ones are
   * returned as they are, so a history with search attributes or a forged plain signal still
   * shows. This reveals nothing: a plain payload is readable in the history already.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a throw (an unknown key) reaches the caller as a rejection
  async decodeForDisplay(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (this.isPlain(payload) ? payload : this.open(payload)));
  }

  private isPlain(payload: Payload): boolean {
    return text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING;
  }

  private open(payload: Payload): Payload {
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
  }
}
