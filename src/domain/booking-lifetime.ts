/**
 * How long a booking's workflow stays open after the booking ended, for late changes. The API
 * applies the same rule to a booking whose workflow is gone: past it, the booking is closed.
 */
export const KEEP_AFTER_END_MS = 24 * 60 * 60_000;

/** Whether a booking ending at `end` (RFC 3339) no longer accepts changes at `nowMs`. */
export function bookingClosedAt(end: string, nowMs: number): boolean {
  return nowMs >= Date.parse(end) + KEEP_AFTER_END_MS;
}
