import { createHash } from 'node:crypto';
import type { EventKey } from '../types';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 base32hex, lowercase, unpadded: the only alphabet Google accepts for event ids. */
function base32hex(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The event id for (booking, calendar): a hash, so it is the same on every retry and never
 * depends on user text (Google may not detect collisions at creation time). 52 characters.
 */
export function googleEventId(key: EventKey): string {
  return base32hex(createHash('sha256').update(`${key.bookingId}\u0000${key.connectionId}`).digest());
}
