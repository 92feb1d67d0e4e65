import type { BenchEnvironment } from '../environment';
import { round2 } from '../figures';
import { runFloorPaced, warmupSize } from '../floor/run';
import type { BenchUser } from '../service/participants';
import { runServiceBookings } from '../service/run';
import { p99Ratio, type PacedPoint } from './figures';
import { offersFor } from './offer';
import { runServicePaced } from './service';

export interface PacedRunOptions {
  /** Fractions of the capacity to offer, one run per side each. */
  loads: number[];
  /** How long each rate is offered to each side. */
  seconds: number;
  /** What load 1 stands for: the floor's throughput at saturation, or `--paced-capacity`. */
  capacityPerSecond: number;
  /** Driver concurrency of the (closed-loop) warm-ups. */
  concurrency: number;
  /** When the service section has not run before, the service's worker is warmed up first. */
  warmUpService: boolean;
  tutors: BenchUser[];
  clients: BenchUser[];
  log: (line: string) => void;
}

/**
 * Latency at load: each load's rate offered open loop to the floor, then the same rates to the
 * service; a rate starts once the previous one has drained, so every point is measured on its own.
 */
export async function runPaced(env: BenchEnvironment, o: PacedRunOptions): Promise<PacedPoint[]> {
  // A rate of 0 would never offer anything; 0.01/s is the smallest the figures show.
  const rates = o.loads.map((load) => Math.max(0.01, round2(load * o.capacityPerSecond)));
  o.log(`paced: ${rates.join(', ')} offers/s (of ${o.capacityPerSecond}/s) for ${o.seconds} s each, floor first`);
  const floor = await runFloorPaced(env, { ratesPerSecond: rates, seconds: o.seconds, concurrency: o.concurrency, log: o.log });

  const counts = rates.map((r) => offersFor(r, o.seconds));
  if (o.warmUpService) {
    const bookings = warmupSize(Math.max(...counts));
    o.log(`paced: service warm-up (${bookings} bookings, not measured)`);
    await runServiceBookings(env, {
      label: 'paced-warmup',
      bookings,
      concurrency: o.concurrency,
      tutors: o.tutors,
      clients: o.clients,
      log: o.log,
    });
  }
  const points: PacedPoint[] = [];
  for (const [k, perSecond] of rates.entries()) {
    o.log(`paced: service, ${counts[k]} confirms at ${perSecond}/s`);
    const service = await runServicePaced(env, {
      label: `paced${k}`,
      count: counts[k]!,
      perSecond,
      tutors: o.tutors,
      clients: o.clients,
      log: o.log,
    });
    const floorSide = floor[k]!;
    points.push({
      load: o.loads[k]!,
      capacityPerSecond: o.capacityPerSecond,
      offeredPerSecond: perSecond,
      seconds: o.seconds,
      service,
      floor: floorSide,
      p99Ratio: p99Ratio(service, floorSide),
    });
    o.log(`paced: ${JSON.stringify(points[k])}`);
  }
  return points;
}
