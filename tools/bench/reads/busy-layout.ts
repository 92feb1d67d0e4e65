const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Busy intervals stored per user: a few meetings over the next weeks, as a tutor's or a client's calendar holds. */
export const INTERVALS_PER_USER = 8;
/** Days the stored intervals (and the windows asked about) span, from `base`. */
export const SPAN_DAYS = 24;

export interface Span {
  start: number;
  end: number;
}

/** Midnight UTC after `nowMs`: every interval lies inside the busy window a read of today covers. */
export const layoutBase = (nowMs: number): number => Math.floor(nowMs / DAY) * DAY + DAY;

/**
 * User u's busy intervals: one every three days, between 08:00 and 20:00 UTC, one or two hours
 * long; apart by days, so they never touch and the service's merged spans are these, one for one.
 */
export function intervalsOf(u: number, base: number): Span[] {
  return Array.from({ length: INTERVALS_PER_USER }, (_, k) => {
    const start = base + k * 3 * DAY + (((u * 7 + k * 5) % 12) + 8) * HOUR;
    return { start, end: start + (1 + ((u + k) % 2)) * HOUR };
  });
}

/** How many of the spans overlap [from, to): what a correct answer lists. */
export const overlapCount = (spans: Span[], from: number, to: number): number => spans.filter((s) => s.start < to && s.end > from).length;

export { DAY, HOUR };
