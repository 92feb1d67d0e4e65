/** Latency percentiles in milliseconds, nearest-rank. */
export interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latencyFigures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** Items per second over a span of milliseconds, to two decimals. */
export function perSecond(items: number, ms: number): number {
  return ms > 0 ? Math.round((items * 100_000) / ms) / 100 : 0;
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** CPU milliseconds per booking of each process group, from its CPU seconds over a run of `bookings`. */
export function cpuMsPerBooking(cpuSeconds: Record<string, number>, bookings: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuSeconds).map(([group, s]) => [group, round2((s * 1000) / Math.max(1, bookings))]));
}
