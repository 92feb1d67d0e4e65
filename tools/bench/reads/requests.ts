import { seededRandom } from 'calendar-emulators/shared';
import type { ServiceApiClient } from '../../support/service-api-client';
import { DAY, HOUR, intervalsOf, overlapCount, SPAN_DAYS } from './busy-layout';

/** One answered read: its status, and why a 200 is wrong (undefined when it is right). */
export interface ReadOutcome {
  status: number;
  wrong?: string;
}

/** A route of the section: the i-th request of a run, sent and its answer judged against the stored intervals. */
export interface ReadRoute {
  /** The JSON key of its figures. */
  key: 'busy' | 'check';
  /** Method and path, for the log and the table. */
  label: string;
  send(i: number): Promise<ReadOutcome>;
}

/** Users named in each availability check: a tutor and a client, as a booking platform asks before a confirm. */
export const USERS_PER_CHECK = 2;
/** Days of busy times each GET asks for: a week's calendar view. */
const BUSY_DAYS = 7;

interface RouteInput {
  api: ServiceApiClient;
  users: number;
  userIdOf: (u: number) => string;
  base: number;
  seed: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /v1/users/:userId/busy` for a random user and week: every stored interval in it, each once, its calendar covering it. */
export function busyRoute(o: RouteInput): ReadRoute {
  const random = seededRandom(o.seed);
  return {
    key: 'busy',
    label: 'GET /v1/users/:userId/busy',
    async send() {
      const u = Math.floor(random() * o.users);
      const from = o.base + Math.floor(random() * (SPAN_DAYS - BUSY_DAYS) * 24) * HOUR;
      const to = from + BUSY_DAYS * DAY;
      const answer = await o.api.operation('getUserBusyTimes', {
        params: { path: { userId: o.userIdOf(u) }, query: { from: iso(from), to: iso(to) } },
      });
      if (answer.status !== 200) return { status: answer.status };
      const expected = overlapCount(intervalsOf(u, o.base), from, to);
      const { busy, calendars } = answer.body;
      if (busy.length !== expected) return { status: 200, wrong: `user ${u}: ${busy.length} busy spans, ${expected} stored` };
      if (calendars.length !== 1 || !calendars[0]!.covers)
        return { status: 200, wrong: `user ${u}: calendars ${JSON.stringify(calendars)}` };
      return { status: 200 };
    },
  };
}

/**
 * `POST /v1/availability/check` of a one-hour slot for two random users. Every other check asks
 * for a slot at one of the first user's stored intervals, so conflicts are found as often as free
 * slots; the verdict must match the stored intervals and every user's calendar must cover the slot.
 */
export function checkRoute(o: RouteInput): ReadRoute {
  const random = seededRandom(o.seed);
  return {
    key: 'check',
    label: 'POST /v1/availability/check',
    async send(i) {
      const users = Array.from({ length: USERS_PER_CHECK }, () => Math.floor(random() * o.users));
      const own = intervalsOf(users[0]!, o.base);
      const start =
        i % 2 === 0 ? own[Math.floor(random() * own.length)]!.start : o.base + Math.floor(random() * (SPAN_DAYS * 24 - 1)) * HOUR;
      const end = start + HOUR;
      const answer = await o.api.operation('checkAvailability', {
        body: { userIds: users.map(o.userIdOf), start: iso(start), end: iso(end) },
      });
      if (answer.status !== 200) return { status: answer.status };
      const conflicts = users.map((u) => overlapCount(intervalsOf(u, o.base), start, end));
      const { available, users: answered } = answer.body;
      // The same user drawn twice is answered once.
      const distinct = new Set(users).size;
      if (answered.length !== distinct || !answered.every((a) => a.known))
        return { status: 200, wrong: `users ${users.join(',')}: ${JSON.stringify(answered)}` };
      if (available !== conflicts.every((n) => n === 0))
        return {
          status: 200,
          wrong: `users ${users.join(',')} at ${iso(start)}: available ${available}, stored conflicts ${conflicts.join(',')}`,
        };
      return { status: 200 };
    },
  };
}
