import { createHash } from 'node:crypto';
import type { EventKey } from '../types';

/** Our single-value extended property: a fixed GUID namespace, so only our events carry it. */
export const TAG_PROPERTY_ID = 'String {5f3c2a8e-7d4b-4c1a-9e6f-2b8d0c4a1e73} Name bookingCalendarSyncKey';

export function tagValue(key: EventKey): string {
  return `${key.bookingId}|${key.connectionId}`;
}

/**
 * The first group of our transactionIds. Delta reads cannot expand extended properties, but
 * Graph returns `transactionId` on every event, so this is how a delta read knows our events.
 */
const TRANSACTION_ID_MARK = 'b0c5ca1e';

/**
 * Graph's `transactionId`: the same for every retry of the same create, so a retried POST does
 * not make a second event. GUID-shaped: our mark, then a hash of (booking, calendar connection).
 */
export function transactionIdFor(key: EventKey): string {
  const h = createHash('sha256').update(`${key.bookingId}\u0000${key.connectionId}`).digest('hex');
  return `${TRANSACTION_ID_MARK}-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}-${h.slice(12, 24)}`;
}

/** Whether an event's transactionId says this service created it. */
export function isOurTransactionId(id: string | null | undefined): boolean {
  return typeof id === 'string' && id.toLowerCase().startsWith(`${TRANSACTION_ID_MARK}-`);
}

/** OData filter finding our event for this key. Values are quoted with '' escaping. */
export function tagFilter(key: EventKey): string {
  const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
  return `singleValueExtendedProperties/Any(ep: ep/id eq ${quote(TAG_PROPERTY_ID)} and ep/value eq ${quote(tagValue(key))})`;
}
