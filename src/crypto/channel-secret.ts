import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { KeyringEntry } from './keyring';

/**
 * The secret a push channel's notifications carry (Google channel token, Graph clientState):
 * an HMAC of the channel id under a key derived from ENCRYPTION_KEYS, so nothing secret is
 * stored and any key of the ring still verifies channels opened before a rotation.
 */
export class ChannelSecrets {
  private readonly keys: Buffer[];

  constructor(keyring: KeyringEntry[]) {
    this.keys = keyring.map((k) => Buffer.from(hkdfSync('sha256', k.key, Buffer.alloc(0), 'booking-calendar-sync:push-channel', 32)));
  }

  private mac(key: Buffer, channelId: string): string {
    return createHmac('sha256', key).update(channelId).digest('base64url');
  }

  secretFor(channelId: string): string {
    return this.mac(this.keys[0]!, channelId);
  }

  matches(channelId: string, presented: string | undefined): boolean {
    if (!presented) return false;
    const given = Buffer.from(presented);
    let ok = false;
    for (const key of this.keys) {
      const expected = Buffer.from(this.mac(key, channelId));
      ok = (expected.length === given.length && timingSafeEqual(expected, given)) || ok;
    }
    return ok;
  }
}
