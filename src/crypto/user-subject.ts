import { createHmac, hkdfSync } from 'node:crypto';
import type { UserSubject } from '../domain/personal-data';
import type { KeyringEntry } from './keyring';

/**
 * Names an erased user in the audit record without keeping their id: an HMAC-SHA256 of the id
 * under a key derived from ENCRYPTION_KEYS, so the record cannot be matched to an id by guessing
 * without the key. Every key of the ring gives a hash, so a record made before a rotation is
 * still found.
 */
export class UserSubjects {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  constructor(keyring: KeyringEntry[]) {
    if (keyring.length === 0) throw new Error('UserSubjects needs at least one key');
    this.keys = keyring.map((k) => ({
      id: k.id,
      key: Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'booking-calendar-sync:user-erasure', 32)),
    }));
  }

  /** The hash under the current key, to record. */
  current(userId: string): UserSubject {
    const { id, key } = this.keys[0]!;
    return { keyId: id, hash: createHmac('sha256', key).update(userId).digest('base64url') };
  }

  /** The hashes under every key of the ring, to look a record up. */
  all(userId: string): string[] {
    return this.keys.map(({ key }) => createHmac('sha256', key).update(userId).digest('base64url'));
  }
}
