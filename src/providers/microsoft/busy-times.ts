import type { BusyInterval } from '../types';
import { isOurTransactionId, TAG_PROPERTY_ID } from './event-tag';

/** An event as calendarView lists it for busy times (UTC wall times without offset). */
export interface GraphBusyEvent {
  start?: { dateTime?: string };
  end?: { dateTime?: string };
  showAs?: string;
  isCancelled?: boolean;
  transactionId?: string | null;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

export const asUtc = (dateTime: string) => new Date(/[zZ]|[+-]\d{2}:\d{2}$/.test(dateTime) ? dateTime : `${dateTime}Z`).toISOString();

/** Ours: tagged (when the read could expand the tag) or created with our transactionId. */
export function isOurs(e: GraphBusyEvent): boolean {
  return (
    isOurTransactionId(e.transactionId) ||
    (e.singleValueExtendedProperties ?? []).some((p) => p.id.toLowerCase() === TAG_PROPERTY_ID.toLowerCase())
  );
}

/** Free events (`showAs: free`), cancelled ones and ours do not make the user busy. */
export function busyOf(e: GraphBusyEvent): BusyInterval | undefined {
  if (e.isCancelled || e.showAs === 'free') return undefined;
  if (isOurs(e)) return undefined;
  if (!e.start?.dateTime || !e.end?.dateTime) return undefined;
  const start = asUtc(e.start.dateTime);
  const end = asUtc(e.end.dateTime);
  return end > start ? { start, end } : undefined;
}
