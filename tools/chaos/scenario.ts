import type { Participant } from '../../src/domain/booking';
import type { ChaosParticipant } from './participants';
import { pick } from './random';

/** What a confirm says besides the times: what a later version of the booking may change. */
export interface VersionDetails {
  title: string;
  description?: string;
  location?: string;
  meetingUrl?: string;
  /** The first is the tutor, the others clients. */
  participants: Participant[];
}

export type BookingOp =
  | { kind: 'confirm'; version: number; start: string; end: string; details: VersionDetails }
  | { kind: 'reschedule'; version: number; start: string; end: string }
  | { kind: 'cancel'; version: number };

export interface BookingPlan {
  bookingId: string;
  /** In the order they are delivered: duplicated and reordered, as a real sender might. */
  deliveries: BookingOp[];
  /** What the calendars must show in the end: nothing when cancelled, else the newest version. */
  expected: { cancelled: true } | ({ cancelled: false; start: string; end: string } & VersionDetails);
}

const HOUR = 3_600_000;
const BASE = Date.parse('2031-01-06T08:00:00Z');

function slot(random: () => number): { start: string; end: string } {
  const start = BASE + Math.floor(random() * 24 * 90) * HOUR;
  return { start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
}

function person(p: ChaosParticipant, role: string): Participant {
  return { userId: p.userId, role, name: `Person ${p.userId}`, email: `${p.userId}@example.com` };
}

/** A tutor (kept from `previous` half the time) and one or two clients, all distinct. */
function cast(random: () => number, users: ChaosParticipant[], previous?: Participant[]): Participant[] {
  const tutor = previous && random() < 0.5 ? users.find((u) => u.userId === previous[0]!.userId)! : pick(random, users);
  const chosen = [tutor];
  const clients = random() < 0.3 ? 2 : 1;
  while (chosen.length < 1 + clients) {
    const c = pick(random, users);
    if (!chosen.includes(c)) chosen.push(c);
  }
  return chosen.map((u, i) => person(u, i === 0 ? 'tutor' : 'client'));
}

/** Text with the characters iCalendar escapes (`,` `;` newline), so a round trip that mangles them shows. */
function details(random: () => number, i: number, version: number, participants: Participant[]): VersionDetails {
  return {
    title: version === 1 ? `Chaos lesson ${i}` : `Chaos lesson ${i}, part ${version}`,
    ...(random() < 0.7 ? { description: `Notes for version ${version};\nbring the book, and a pen` } : {}),
    ...(random() < 0.5 ? { location: `Room ${i}.${version}, floor 2` } : {}),
    ...(random() < 0.5 ? { meetingUrl: `https://meet.example.com/${i}-${version}` } : {}),
    participants,
  };
}

/**
 * Random histories: a confirm, up to two later changes, sometimes a cancel, each with its
 * version. A later change is a reschedule or a new confirm of the whole booking: another title,
 * description, location and meeting link, and in half of them other participants (some removed, some added),
 * sometimes at a new time. About one delivery in five is repeated and one booking in three
 * delivered out of order.
 */
export function planBookings(n: number, users: ChaosParticipant[], random: () => number, runId: string): BookingPlan[] {
  return Array.from({ length: n }, (_, i) => {
    let times = slot(random);
    let current = details(random, i, 1, cast(random, users));
    const ops: BookingOp[] = [{ kind: 'confirm', version: 1, ...times, details: current }];
    const changes = random() < 0.6 ? (random() < 0.5 ? 2 : 1) : 0;
    for (let c = 0; c < changes; c++) {
      const version = ops.length + 1;
      if (random() < 0.5) {
        times = slot(random);
        ops.push({ kind: 'reschedule', version, ...times });
      } else {
        if (random() < 0.3) times = slot(random);
        current = details(random, i, version, random() < 0.5 ? cast(random, users, current.participants) : current.participants);
        ops.push({ kind: 'confirm', version, ...times, details: current });
      }
    }
    const cancelled = random() < 0.25;
    if (cancelled) ops.push({ kind: 'cancel', version: ops.length + 1 });

    const deliveries: BookingOp[] = [];
    for (const op of ops) {
      deliveries.push(op);
      if (random() < 0.2) deliveries.push(op);
    }
    if (random() < 0.33 && deliveries.length > 1) {
      const j = 1 + Math.floor(random() * (deliveries.length - 1));
      [deliveries[j - 1], deliveries[j]] = [deliveries[j]!, deliveries[j - 1]!];
    }
    return {
      bookingId: `${runId}-b${i}`,
      deliveries,
      expected: cancelled ? { cancelled: true } : { cancelled: false, ...times, ...current },
    };
  });
}

/** How many of the bookings that stay confirmed end with another title, or other participants, than their first version. */
export function scenarioVariety(plans: BookingPlan[]): { retitled: number; recast: number } {
  let retitled = 0;
  let recast = 0;
  for (const plan of plans) {
    const first = plan.deliveries.find((op) => op.kind === 'confirm' && op.version === 1) as Extract<BookingOp, { kind: 'confirm' }>;
    if (plan.expected.cancelled) continue;
    if (plan.expected.title !== first.details.title) retitled += 1;
    const ids = (ps: Participant[]) =>
      ps
        .map((p) => p.userId)
        .sort()
        .join(' ');
    if (ids(plan.expected.participants) !== ids(first.details.participants)) recast += 1;
  }
  return { retitled, recast };
}
