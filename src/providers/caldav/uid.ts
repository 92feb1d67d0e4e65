import { createHash } from 'node:crypto';
import type { EventKey } from '../types';

/**
 * The iCalendar UID and resource name of our event for (booking, connection): derived, so every
 * retry writes the same `<uid>.ics`, and `If-None-Match: *` turns a repeated create into a 412.
 */
export function caldavUid(key: EventKey): string {
  return `bcs-${createHash('sha256').update(`${key.bookingId}\u0000${key.connectionId}`).digest('hex').slice(0, 40)}`;
}

export function objectUrl(calendarUrl: string, key: EventKey): string {
  return new URL(`${caldavUid(key)}.ics`, calendarUrl.endsWith('/') ? calendarUrl : `${calendarUrl}/`).toString();
}
