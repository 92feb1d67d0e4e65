import type { SpreadFigures } from './run';

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;

/** The spread section's row of the bench table: the section's columns, then who did what. */
export function spreadRow(s: SpreadFigures): string[] {
  const apis = Object.entries(s.apis).map(([name, a]) => `${name} ${a.accepted} (${pct(a.share)})`);
  const workers = Object.entries(s.workers).map(([name, w]) => `${name} ${w.calendarWrites} (${pct(w.share)})`);
  return [
    `spread, ${apis.length} APIs × ${workers.length} workers`,
    `${s.throughputPerSecond}/s`,
    `${s.latencyMs.p50} ms`,
    `${s.latencyMs.p95} ms`,
    `${s.latencyMs.p99} ms`,
    `${s.eventsVerified}/${2 * s.bookings} events, ${s.duplicates} duplicates; ` +
      `confirms accepted: ${apis.join(', ')}; calendar writes: ${workers.join(', ')}; shared: ${s.shared ? 'yes' : '**no**'}`,
  ];
}
