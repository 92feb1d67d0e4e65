import type { BenchEnvironment } from '../environment';
import { latencyFigures, perSecond, round2, type LatencyFigures } from '../figures';
import { confirmBody } from '../service/confirm-body';
import { judgeCalendars, readCreatedTimes } from '../service/calendar-check';
import type { BenchUser } from '../service/participants';
import { NaiveCalendarSync } from './sync-booking';

export interface NaiveFigures {
  bookings: number;
  seconds: number;
  throughputPerSecond: number;
  /** From the webhook's call to both calls having returned (failed ones included). */
  latencyMs: LatencyFigures;
  eventsVerified: number;
  lost: number;
  duplicates: number;
  failedCalls: number;
}

/**
 * The seeds' design for N bookings: every confirmation handed to `syncBookingConfirmation`
 * without waiting, as the payment webhook does, all in this process; then the calendars read
 * back from the sandbox.
 */
export async function runNaive(
  env: BenchEnvironment,
  o: { label: string; bookings: number; tutors: BenchUser[]; clients: BenchUser[]; log: (line: string) => void },
): Promise<NaiveFigures> {
  const sync = new NaiveCalendarSync(env.pool, env.google.url);
  const prefix = `${env.runId}-${o.label}-`;
  const plans = Array.from({ length: o.bookings }, (_, i) => {
    const tutor = o.tutors[i % o.tutors.length]!;
    const client = o.clients[(i + Math.floor(i / o.tutors.length)) % o.clients.length]!;
    const body = confirmBody(i, tutor.userId, client.userId) as { title: string; start: string; end: string };
    return {
      bookingId: `${prefix}${i}`,
      tutor,
      client,
      booking: {
        bookingId: `${prefix}${i}`,
        title: body.title,
        start: body.start,
        end: body.end,
        participantIds: [tutor.userId, client.userId],
      },
    };
  });

  const latencies: number[] = [];
  let finishedAt = 0;
  const startedAt = Date.now();
  const inFlight = plans.map((p) => {
    const calledAt = Date.now();
    // Fire and forget, as the seeds do; only the benchmark keeps the promise, to time it.
    return sync
      .syncBookingConfirmation(p.booking)
      .catch(() => undefined)
      .then(() => {
        finishedAt = Date.now();
        latencies.push(finishedAt - calledAt);
      });
  });
  await Promise.all(inFlight);
  o.log(`${o.label}: ${o.bookings} bookings handed over and settled in ${((finishedAt - startedAt) / 1000).toFixed(1)} s`);

  const found = await readCreatedTimes(
    env.sandbox,
    plans.flatMap((p) => [p.tutor.email, p.client.email]),
    prefix,
  );
  const verdict = judgeCalendars(
    plans.map((p) => ({ bookingId: p.bookingId, emails: [p.tutor.email, p.client.email] })),
    found,
  );
  return {
    bookings: o.bookings,
    seconds: round2((finishedAt - startedAt) / 1000),
    throughputPerSecond: perSecond(o.bookings, finishedAt - startedAt),
    latencyMs: latencyFigures(latencies),
    eventsVerified: verdict.eventsVerified,
    lost: verdict.lost,
    duplicates: verdict.duplicates,
    failedCalls: sync.failures,
  };
}
