import type { ChaosParticipant } from './participants';
import { pick } from './random';

export type BookingOp =
  | { kind: 'confirm'; version: number; start: string; end: string }
  | { kind: 'reschedule'; version: number; start: string; end: string }
  | { kind: 'cancel'; version: number };

export interface BookingPlan {
  bookingId: string;
  title: string;
  participants: [ChaosParticipant, ChaosParticipant];
  /** In the order they are delivered: duplicated and reordered, as a real sender might. */
  deliveries: BookingOp[];
  /** What every calendar must show in the end. */
  expected: { cancelled: true } | { cancelled: false; start: string; end: string };
}

const HOUR = 3_600_000;
const BASE = Date.parse('2031-01-06T08:00:00Z');

function slot(random: () => number): { start: string; end: string } {
  const start = BASE + Math.floor(random() * 24 * 90) * HOUR;
  return { start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
}

/**
 * Random histories: a confirm, up to two reschedules, sometimes a cancel, each with its version;
 * about one delivery in five repeated and one booking in three delivered out of order.
 */
export function planBookings(n: number, participants: ChaosParticipant[], random: () => number, runId: string): BookingPlan[] {
  return Array.from({ length: n }, (_, i) => {
    const a = pick(random, participants);
    let b = pick(random, participants);
    while (b.userId === a.userId) b = pick(random, participants);
    const ops: BookingOp[] = [{ kind: 'confirm', version: 1, ...slot(random) }];
    const reschedules = random() < 0.6 ? (random() < 0.5 ? 2 : 1) : 0;
    for (let r = 0; r < reschedules; r++) ops.push({ kind: 'reschedule', version: ops.length + 1, ...slot(random) });
    const cancelled = random() < 0.25;
    if (cancelled) ops.push({ kind: 'cancel', version: ops.length + 1 });
    const last = [...ops].reverse().find((o) => o.kind !== 'cancel') as Exclude<BookingOp, { kind: 'cancel' }>;

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
      title: `Chaos lesson ${i}`,
      participants: [a, b],
      deliveries,
      expected: cancelled ? { cancelled: true } : { cancelled: false, start: last.start, end: last.end },
    };
  });
}
