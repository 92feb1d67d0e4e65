import type { BusyInterval } from '../types';
import { TAG_PROPERTY_ID } from './event-tag';

/** An event as calendarView lists it for busy times (UTC wall times without offset). */
export interface GraphBusyEvent {
  start?: { dateTime?: string };
  end?: { dateTime?: string };
  showAs?: string;
  isCancelled?: boolean;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** What busy-time reads ask Graph for: times, free/busy status, and our tag only. */
export const BUSY_SELECT = 'start,end,showAs,isCancelled';
export const BUSY_EXPAND = `singleValueExtendedProperties($filter=id eq '${TAG_PROPERTY_ID}')`;

const asUtc = (dateTime: string) => new Date(/[zZ]|[+-]\d{2}:\d{2}$/.test(dateTime) ? dateTime : `${dateTime}Z`).toISOString();

/** Free events (`showAs: free`), cancelled ones and ours do not make the user busy. */
export function busyOf(e: GraphBusyEvent): BusyInterval | undefined {
  if (e.isCancelled || e.showAs === 'free') return undefined;
  if (e.singleValueExtendedProperties?.some((p) => p.id.toLowerCase() === TAG_PROPERTY_ID.toLowerCase())) return undefined;
  if (!e.start?.dateTime || !e.end?.dateTime) return undefined;
  const start = asUtc(e.start.dateTime);
  const end = asUtc(e.end.dateTime);
  return end > start ? { start, end } : undefined;
}
