import { expandEvent } from './event-instances';
import type { StoredEvent } from './event-model';
import type { CalendarStore } from './state';

// The busy time of one calendar, as freeBusy.query reports it: every event that blocks
// time (not cancelled, not `transparency: "transparent"`, which is Google's "Show as
// available"), recurring series expanded into their instances with the same code
// events.list uses, cut to the queried range and merged, so that overlapping or
// back-to-back events come back as one period.

export interface BusySpan {
  startMs: number;
  endMs: number;
}

/** Whether the event takes time on the calendar (the series' master speaks for its instances). */
function blocksTime(event: StoredEvent): boolean {
  return event.status !== 'cancelled' && event.content.transparency !== 'transparent';
}

/** Sorted spans with overlaps and touching ends joined. */
function merge(spans: BusySpan[]): BusySpan[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const merged: BusySpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.startMs <= last.endMs) last.endMs = Math.max(last.endMs, span.endMs);
    else merged.push({ ...span });
  }
  return merged;
}

/** The calendar's busy periods within [fromMs, toMs), clipped to it, merged and in time order. */
export function busySpans(calendar: CalendarStore, fromMs: number, toMs: number): BusySpan[] {
  const spans = [...calendar.events.values()]
    .filter(blocksTime)
    // EXDATE-removed instances are left out by the expansion itself.
    .flatMap((event) => expandEvent(event, { from: fromMs, to: toMs }))
    .map((instance) => ({ startMs: Math.max(instance.startMs, fromMs), endMs: Math.min(instance.endMs, toMs) }))
    .filter((span) => span.endMs > span.startMs);
  return merge(spans);
}
