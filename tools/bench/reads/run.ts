import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';
import { round2 } from '../figures';
import { INTERVALS_PER_USER, layoutBase, SPAN_DAYS } from './busy-layout';
import { offerRoute, type ReadRouteFigures } from './offer-route';
import { busyRoute, checkRoute, USERS_PER_CHECK, type ReadRoute } from './requests';
import { storeBusyTimes } from './store-busy';

export interface ReadsFigures {
  /** Users with a connected calendar and stored busy intervals. */
  users: number;
  intervalsPerUser: number;
  /** Days from tomorrow that the intervals and the windows asked about span. */
  spanDays: number;
  /** Storing every user's busy times (not measured against anything; the section's own cost). */
  setupSeconds: number;
  /** How long each route is offered its rate. */
  seconds: number;
  /** `GET /v1/users/:userId/busy`, a random user and week each. */
  busy: ReadRouteFigures;
  /** `POST /v1/availability/check`, a one-hour slot for two random users each. */
  check: ReadRouteFigures & { usersPerCheck: number };
}

/** Requests of each route sent before measuring, a few at a time: the API's and PostgreSQL's first-use costs stay out. */
const WARM_UP = 200;

/**
 * Reads under load: `users` users' busy intervals stored in the service's database, then the
 * availability check and the busy-times read each offered open loop at `perSecond` for
 * `seconds` through the API process, one route after the other.
 */
export async function runReads(
  env: BenchEnvironment,
  o: { users: number; perSecond: number; seconds: number; log: (line: string) => void },
): Promise<ReadsFigures> {
  const userIdOf = (u: number) => `${env.runId}-read${u}`;
  const base = layoutBase(Date.now());
  const setupStartedAt = Date.now();
  await storeBusyTimes(env, { userIdOf, users: o.users, base, log: o.log });
  const setupSeconds = round2((Date.now() - setupStartedAt) / 1000);
  o.log(`reads: ${o.users} users' busy times stored (${o.users * INTERVALS_PER_USER} intervals) in ${setupSeconds} s`);

  const input = { api: env.api, users: o.users, userIdOf, base };
  const measure = async (route: ReadRoute, warmUp: ReadRoute) => {
    await forEachConcurrently(
      Array.from({ length: WARM_UP }, (_, i) => i),
      8,
      async (i) => void (await warmUp.send(i)),
    );
    o.log(`reads: ${route.label} at ${o.perSecond}/s for ${o.seconds} s`);
    const figures = await offerRoute(env, route, { perSecond: o.perSecond, seconds: o.seconds, log: o.log });
    o.log(`reads: ${JSON.stringify(figures)}`);
    return figures;
  };
  const busy = await measure(busyRoute({ ...input, seed: 11 }), busyRoute({ ...input, seed: 12 }));
  const check = await measure(checkRoute({ ...input, seed: 21 }), checkRoute({ ...input, seed: 22 }));
  return {
    users: o.users,
    intervalsPerUser: INTERVALS_PER_USER,
    spanDays: SPAN_DAYS,
    setupSeconds,
    seconds: o.seconds,
    busy,
    check: { ...check, usersPerCheck: USERS_PER_CHECK },
  };
}
