import type { GoogleSandboxControl } from 'calendar-emulators/google';
import { sleep } from '../../dev/child-processes';
import { judgeCalendars, readCreatedTimes, type CalendarVerdict } from '../service/calendar-check';

/**
 * Reads the calendars from the sandbox's side until every expected participant has the booking's
 * event, or until the count has not moved for `stallMs`; returns the last reading's verdict.
 */
export async function waitForCalendars(
  sandbox: GoogleSandboxControl,
  expected: Array<{ bookingId: string; emails: string[] }>,
  prefix: string,
  stallMs: number,
  log: (line: string) => void,
): Promise<CalendarVerdict> {
  const emails = expected.flatMap((e) => e.emails);
  const wanted = emails.length;
  let last = -1;
  let movedAt = Date.now();
  let reportedAt = Date.now();
  for (;;) {
    const verdict = judgeCalendars(expected, await readCreatedTimes(sandbox, emails, prefix));
    const n = verdict.eventsVerified;
    if (n >= wanted) return verdict;
    if (n !== last) {
      last = n;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      log(`spread: no new event for ${stallMs / 1000} s at ${n} of ${wanted}; judging the calendars as they are`);
      return verdict;
    }
    if (Date.now() - reportedAt > 15_000) {
      reportedAt = Date.now();
      log(`spread: ${n} of ${wanted} events in the calendars`);
    }
    await sleep(500);
  }
}
