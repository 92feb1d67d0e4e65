import { latencyFigures, round2 } from '../figures';
import type { PacedOffers } from './offer';

/** One side (the service or the floor) at one paced rate. */
export interface PacedSide extends PacedOffers {
  /** Offers accepted (202 / signalWithStart returned) and then completed: the latency samples. */
  count: number;
  /** Offers refused or never answered. */
  refused: number;
  /** From acceptance to completion, nearest-rank. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From sending an offer to its acceptance: queueing in front of the side, outside p50..p99. */
  acceptP99Ms: number;
}

export interface PacedServiceSide extends PacedSide {
  /** Events beyond the first for one booking in one calendar: must be 0. */
  duplicates: number;
  /** Calendars of accepted bookings without their event: must be 0. */
  lost: number;
}

/** One paced load: a fraction of the capacity, offered to the service and to the floor. */
export interface PacedPoint {
  /** Fraction of capacityPerSecond. */
  load: number;
  /** The floor's throughput at saturation in this run, or `--paced-capacity`. */
  capacityPerSecond: number;
  offeredPerSecond: number;
  seconds: number;
  service: PacedServiceSide;
  floor: PacedSide;
  /** service.p99Ms / floor.p99Ms. */
  p99Ratio: number;
}

export function pacedSide(offers: PacedOffers, refused: number, latencies: number[], acceptMs: number[]): PacedSide {
  const l = latencyFigures(latencies);
  return {
    ...offers,
    count: latencies.length,
    refused,
    p50Ms: l.p50,
    p95Ms: l.p95,
    p99Ms: l.p99,
    maxMs: l.max,
    acceptP99Ms: latencyFigures(acceptMs).p99,
  };
}

/** A floor p99 under a millisecond would make the ratio meaningless: count it as 1 ms. */
export const p99Ratio = (service: PacedSide, floor: PacedSide): number => round2(service.p99Ms / Math.max(1, floor.p99Ms));
