import type { GoogleSandboxControl } from 'calendar-emulators/google';
import { judgeCalendars, readCreatedTimes, type CalendarVerdict } from './calendar-check';
import type { BenchUser } from './participants';

/** One confirm a bench section sent: `acceptedAt` 0 = the API refused it. */
export interface SentBooking {
  bookingId: string;
  tutor: BenchUser;
  client: BenchUser;
  acceptedAt: number;
}

export interface WrittenEventsVerdict extends CalendarVerdict {
  /** Per booking whose calendars all hold it: from the API's 202 to the last of its events. */
  latencies: number[];
}

/**
 * Reads both participants' calendars of every sent booking from the sandbox and judges the
 * accepted ones: which events exist, which are duplicated or lost, and how long each complete
 * booking took from its acceptance. Shared by the service and paced sections so they count alike.
 */
export async function judgeWrittenEvents(
  sandbox: GoogleSandboxControl,
  prefix: string,
  sent: SentBooking[],
): Promise<WrittenEventsVerdict> {
  const accepted = sent.filter((p) => p.acceptedAt > 0);
  const found = await readCreatedTimes(
    sandbox,
    sent.flatMap((p) => [p.tutor.email, p.client.email]),
    prefix,
  );
  const verdict = judgeCalendars(
    accepted.map((p) => ({ bookingId: p.bookingId, emails: [p.tutor.email, p.client.email] })),
    found,
  );
  const latencies = accepted.flatMap((p) => {
    const done = verdict.completedAt.get(p.bookingId);
    return done === undefined ? [] : [done - p.acceptedAt];
  });
  return { ...verdict, latencies };
}
