import type { ReadsFigures } from './run';
import type { ReadRouteFigures } from './offer-route';

const row = (name: string, f: ReadRouteFigures): string[] => [
  name,
  `${f.achievedPerSecond} req/s`,
  `${f.latencyMs.p50} ms`,
  `${f.latencyMs.p95} ms`,
  `${f.latencyMs.p99} ms`,
  `${f.offers} offered at ${f.offeredPerSecond}/s (sent at ${f.sentPerSecond}/s), ${f.non2xx} non-2xx, ${f.wrong} wrong, ` +
    `${f.serviceCpuMsPerRequest} ms API+PostgreSQL CPU/request`,
];

/** The reads section's rows of the sections table: one per route. */
export function readsRows(r: ReadsFigures): string[][] {
  const stored = `${r.users} users × ${r.intervalsPerUser} intervals`;
  return [row(`busy read (GET …/busy), ${stored}`, r.busy), row(`availability check (${r.check.usersPerCheck} users), ${stored}`, r.check)];
}
