import type { FoundEvent } from './calendars';
import type { BookingPlan, VersionDetails } from './scenario';

export interface Verdict {
  /** An event that should be there and is not. */
  lost: number;
  /** More than one event for one booking in one user's calendars (whatever their ids). */
  duplicates: number;
  /** An event that differs from the booking's final version: times, title, description or location. */
  wrong: number;
  /**
   * An event that should not exist at all: for a cancelled booking, in the calendar of someone
   * who is not (or no longer) a participant, or for a booking the run never made.
   */
  stray: number;
  /** A few examples, for a human reading a failed run. */
  examples: string[];
}

export function failures(v: Verdict): number {
  return v.lost + v.duplicates + v.wrong + v.stray;
}

/**
 * What a participant's event must show. Written out here from the documented format rather
 * than taken from src/events/render.ts, so a rendering mistake fails the verdict: the title
 * names the other participants, the description lists them by role, then the meeting link,
 * the location and the booking's description.
 */
export function expectedContent(details: VersionDetails, forUserId: string): Pick<FoundEvent, 'title' | 'description' | 'location'> {
  const others = details.participants.filter((p) => p.userId !== forUserId);
  const lines = others.map((p) => `${p.role.charAt(0).toUpperCase()}${p.role.slice(1)}: ${p.name}`);
  if (details.meetingUrl) lines.push(`Join: ${details.meetingUrl}`);
  if (details.location) lines.push(`Location: ${details.location}`);
  if (details.description) lines.push('', details.description);
  return {
    title: others.length > 0 ? `${details.title} with ${others.map((p) => p.name).join(', ')}` : details.title,
    description: lines.join('\n'),
    // Without a place, the meeting link is where it happens.
    location: details.location ?? details.meetingUrl ?? '',
  };
}

/**
 * Compares every tagged event in every calendar read with the bookings' final versions: each
 * final participant of a confirmed booking has exactly one event, showing that version, and
 * there is no other event of ours anywhere.
 */
export function judge(plans: BookingPlan[], calendars: Map<string, FoundEvent[]>): Verdict {
  const verdict: Verdict = { lost: 0, duplicates: 0, wrong: 0, stray: 0, examples: [] };
  const note = (s: string) => verdict.examples.length < 10 && verdict.examples.push(s);
  const byId = new Map(plans.map((p) => [p.bookingId, p]));
  const seen = new Set<string>();
  for (const [userId, events] of calendars) {
    const byBooking = new Map<string, FoundEvent[]>();
    for (const e of events) byBooking.set(e.bookingId, [...(byBooking.get(e.bookingId) ?? []), e]);
    for (const [bookingId, found] of byBooking) {
      const plan = byId.get(bookingId);
      const expected = plan?.expected;
      if (!expected || expected.cancelled || !expected.participants.some((p) => p.userId === userId)) {
        verdict.stray += found.length;
        const why = !expected
          ? 'a booking the run never made'
          : expected.cancelled
            ? 'cancelled'
            : 'not a participant of its final version';
        note(`${bookingId}: ${found.length} event(s) in ${userId}'s calendars (${found.map((e) => e.id).join(', ')}): ${why}`);
        continue;
      }
      seen.add(`${bookingId}\u0000${userId}`);
      if (found.length > 1) {
        verdict.duplicates += found.length - 1;
        note(`${bookingId}: ${found.length} events in ${userId}'s calendars (${found.map((e) => e.id).join(', ')})`);
      }
      const event = found[0]!;
      const want = { start: Date.parse(expected.start), end: Date.parse(expected.end), ...expectedContent(expected, userId) };
      const off = (Object.keys(want) as Array<keyof typeof want>).filter((k) => event[k] !== want[k]);
      if (off.length > 0) {
        verdict.wrong += 1;
        const show = (v: string | number) => (typeof v === 'number' ? new Date(v).toISOString() : JSON.stringify(v));
        note(`${bookingId}: in ${userId}'s calendar ${off.map((k) => `${k} ${show(event[k])}, expected ${show(want[k])}`).join('; ')}`);
      }
    }
  }
  for (const plan of plans) {
    if (plan.expected.cancelled) continue;
    for (const p of plan.expected.participants) {
      if (seen.has(`${plan.bookingId}\u0000${p.userId}`)) continue;
      verdict.lost += 1;
      note(`${plan.bookingId}: missing from ${p.userId}'s calendar`);
    }
  }
  return verdict;
}
