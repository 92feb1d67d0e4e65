import { connectOAuthUser } from '../support/connect-oauth-user';
import type { BenchEnvironment } from './environment';
import { forEachConcurrently } from './concurrently';
import { round2 } from './figures';
import { confirmBody } from './service/confirm-body';
import { judgeCalendars, readCreatedTimes } from './service/calendar-check';
import { emailOf } from './service/participants';
import { waitForSavedBookings } from './service/wait-for-bookings';
import { waitForWrittenEvents } from './service/wait-for-events';

export interface BulkFigures {
  bookings: number;
  quotaPerSecond: number;
  /** The sliding window the sandbox counts the quota over (quotaPerSecond × this in any window). */
  quotaWindowSeconds: number;
  /** From the connect to the last event created. */
  seconds: number;
  /** Every request the user's account received in that time (OAuth and Calendar API). */
  requests: number;
  requestsPerSecond: number;
  /** requestsPerSecond ÷ quota. */
  utilization: number;
  /**
   * While the sync writes: events created per second from the first to the last, ÷ quota (the
   * connect's OAuth exchange and first page come before it and are in `utilization` only).
   */
  paceUtilization: number;
  /** Requests the sandbox refused for the user's quota (403 userRateLimitExceeded). */
  rateLimited: number;
  lost: number;
  duplicates: number;
}

/**
 * A user with `bookings` confirmed bookings connects a calendar while the sandbox enforces a
 * per-user quota: how close the service's bulk sync runs to the quota without going over it.
 */
export async function runBulk(
  env: BenchEnvironment,
  o: { bookings: number; quota: number; quotaWindow: number; concurrency: number; log: (line: string) => void },
): Promise<BulkFigures> {
  const userId = `${env.runId}-bulk`;
  const email = emailOf(userId);
  const prefix = `${env.runId}-bulk-`;
  const ids = Array.from({ length: o.bookings }, (_, i) => `${prefix}${i}`);
  // The other participant of each booking has no calendar connected: only the bulk user's writes count.
  await forEachConcurrently(ids, o.concurrency, async (bookingId, i) => {
    const answer = await env.api.operationUntilAnswered('confirmBooking', {
      params: { path: { bookingId } },
      body: confirmBody(i, `${env.runId}-bulk-tutor${i % 50}`, userId),
    });
    if (answer.status !== 202) throw new Error(`bulk setup: confirm ${bookingId} answered ${answer.status}`);
  });
  // The booking workflows save each booking before the bulk sync can page through it.
  await waitForSavedBookings(env, prefix, o.bookings, 'bulk setup', o.log);
  o.log(`bulk: ${o.bookings} bookings exist; connecting their client's calendar under a quota of ${o.quota}/s over ${o.quotaWindow} s`);

  await env.sandbox.configure({ perUserPerMinute: o.quota * 60, perUserWindowSeconds: o.quotaWindow });
  const connectedAt = Date.now();
  await connectOAuthUser(env.api, 'google', userId, email);
  await waitForWrittenEvents(env.pool, prefix, o.bookings, 120_000, o.log);

  const found = await readCreatedTimes(env.sandbox, [email], prefix);
  const verdict = judgeCalendars(
    ids.map((bookingId) => ({ bookingId, emails: [email] })),
    found,
  );
  const lastEvent = Math.max(connectedAt, ...verdict.completedAt.values());
  const firstEvent = Math.min(lastEvent, ...verdict.completedAt.values());
  // n events span n − 1 intervals of the pace.
  const writeSeconds = (lastEvent - firstEvent) / 1000;
  const seconds = (lastEvent - connectedAt) / 1000;
  const account = (await env.sandbox.stats()).byAccount[email];
  const requests = account?.requests ?? 0;
  return {
    bookings: o.bookings,
    quotaPerSecond: o.quota,
    quotaWindowSeconds: o.quotaWindow,
    seconds: round2(seconds),
    requests,
    requestsPerSecond: round2(requests / seconds),
    utilization: round2(requests / seconds / o.quota),
    paceUtilization: writeSeconds > 0 ? round2((verdict.completedAt.size - 1) / writeSeconds / o.quota) : 0,
    rateLimited: account?.rateLimited ?? 0,
    lost: verdict.lost,
    duplicates: verdict.duplicates,
  };
}
