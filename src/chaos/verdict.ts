import type { FoundEvent } from './calendars';
import type { BookingPlan } from './scenario';

export interface Verdict {
  /** An event that should be there and is not. */
  lost: number;
  /** More than one event for one booking in one calendar. */
  duplicates: number;
  /** An event at the wrong time, or one still there for a cancelled booking. */
  wrong: number;
  /** A few examples, for a human reading a failed run. */
  examples: string[];
}

/** Compares every participant's calendar with the booking's final version. */
export function judge(plans: BookingPlan[], calendars: Map<string, FoundEvent[]>): Verdict {
  const verdict: Verdict = { lost: 0, duplicates: 0, wrong: 0, examples: [] };
  const note = (s: string) => verdict.examples.length < 10 && verdict.examples.push(s);
  for (const plan of plans) {
    for (const p of plan.participants) {
      const found = (calendars.get(p.userId) ?? []).filter((e) => e.bookingId === plan.bookingId);
      if (found.length > 1) {
        verdict.duplicates += found.length - 1;
        note(`${plan.bookingId}: ${found.length} events in ${p.userId}'s ${p.provider} calendar`);
      }
      const [event] = found;
      if (plan.expected.cancelled) {
        if (event) {
          verdict.wrong += 1;
          note(`${plan.bookingId}: cancelled but still in ${p.userId}'s ${p.provider} calendar`);
        }
      } else if (!event) {
        verdict.lost += 1;
        note(`${plan.bookingId}: missing from ${p.userId}'s ${p.provider} calendar`);
      } else if (event.start !== Date.parse(plan.expected.start) || event.end !== Date.parse(plan.expected.end)) {
        verdict.wrong += 1;
        note(`${plan.bookingId}: at ${new Date(event.start).toISOString()} in ${p.userId}'s ${p.provider} calendar, expected ${plan.expected.start}`);
      }
    }
  }
  return verdict;
}
