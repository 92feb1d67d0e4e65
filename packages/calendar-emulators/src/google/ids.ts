import { createHash, randomBytes } from 'node:crypto';

// Google's event ids use the base32hex alphabet (RFC 4648 §7), lower case.
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
const EVENT_ID = /^[0-9a-v]{5,1024}$/;

export function isValidEventId(id: string): boolean {
  return EVENT_ID.test(id);
}

function base32hex(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

/** A server-generated event id, 26 characters like the ones Google hands out. */
export function newEventId(): string {
  return base32hex(randomBytes(16)).slice(0, 26);
}

// Etags are quoted microsecond-ish numbers like Google's ("3181161784712000"); the
// counter keeps them strictly increasing even for writes within the same millisecond.
let lastEtag = 0;
export function nextEtag(nowMs: number): string {
  lastEtag = Math.max(lastEtag + 1, nowMs * 1000);
  return `"${lastEtag}"`;
}

/** A secondary calendar id in Google's current form: `c_` + 64 hex digits + `@group.calendar.google.com`. */
export function newCalendarId(): string {
  return `c_${randomBytes(32).toString('hex')}@group.calendar.google.com`;
}

/**
 * The resourceId of a calendar's events collection in push channels: opaque, and the same
 * for every channel on that collection (Google's is stable too), so derived from the id.
 */
export function eventsResourceId(calendarId: string): string {
  return base32hex(createHash('sha256').update(`events ${calendarId}`).digest()).slice(0, 27);
}
