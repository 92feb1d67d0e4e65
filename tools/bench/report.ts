import { pacedTable } from './paced/report';
import { costTable } from './cost/report';
import { cpuTable } from './cpu-report';
import { readsRows } from './reads/report';
import type { FloorFigures } from './floor/run';
import type { BenchResult } from './result';
import { spreadRow } from './spread/report';

const ms = (n: number) => `${n} ms`;

const floorRow = (label: string, f: FloorFigures): string[] => [
  label,
  `${f.throughputPerSecond}/s`,
  ms(f.latencyMs.p50),
  ms(f.latencyMs.p95),
  ms(f.latencyMs.p99),
  `${f.completed}/${f.bookings} completed`,
];

/** The result as the README's Markdown tables: latency at load first, then the sections. */
export function markdownTable(r: BenchResult): string {
  const rows: string[][] = [];
  if (r.floor) rows.push(floorRow('floor (Temporal alone)', r.floor));
  if (r.floorServiceShape) rows.push(floorRow("floor, the service's workflow shape", r.floorServiceShape));
  if (r.service)
    rows.push([
      'service',
      `${r.service.throughputPerSecond}/s`,
      ms(r.service.latencyMs.p50),
      ms(r.service.latencyMs.p95),
      ms(r.service.latencyMs.p99),
      `${r.service.eventsVerified}/${2 * r.service.bookings} events, ${r.service.duplicates} duplicates`,
    ]);
  if (r.naive) {
    rows.push([
      'naive (seeds design)',
      `${r.naive.clean.throughputPerSecond}/s`,
      ms(r.naive.clean.latencyMs.p50),
      ms(r.naive.clean.latencyMs.p95),
      ms(r.naive.clean.latencyMs.p99),
      `${r.naive.clean.lost} events lost`,
    ]);
    rows.push([
      `naive, ${r.naive.faultRate * 100}% faults`,
      `${r.naive.faulty.throughputPerSecond}/s`,
      ms(r.naive.faulty.latencyMs.p50),
      ms(r.naive.faulty.latencyMs.p95),
      ms(r.naive.faulty.latencyMs.p99),
      `**${r.naive.faulty.lost} events lost**`,
    ]);
    if (r.naive.serviceWithFaults) {
      const s = r.naive.serviceWithFaults;
      rows.push([
        `service, ${r.naive.faultRate * 100}% faults`,
        `${s.throughputPerSecond}/s`,
        ms(s.latencyMs.p50),
        ms(s.latencyMs.p95),
        ms(s.latencyMs.p99),
        `**${s.lost} lost**, ${s.duplicates} duplicates`,
      ]);
    }
  }
  for (const p of r.scale?.points ?? [])
    rows.push([
      `scale N=${p.bookings}`,
      `${p.throughputPerSecond}/s`,
      '',
      '',
      ms(p.p99Ms),
      `worker peak ${p.workerPeakRssMiB} MiB, ${p.workerCpuMsPerBooking} ms CPU/booking`,
    ]);
  if (r.scale) rows.push([`${r.scale.openBookingWorkflows} open workflows`, '', '', '', '', `worker RSS ${r.scale.idleWorkerRssMiB} MiB`]);
  if (r.bulk)
    rows.push([
      `bulk ${r.bulk.bookings} at ${r.bulk.quotaPerSecond}/s quota`,
      `${r.bulk.requestsPerSecond} req/s`,
      '',
      '',
      '',
      `utilization ${r.bulk.utilization} (while writing ${r.bulk.paceUtilization}), ${r.bulk.rateLimited} rate-limited, ${r.bulk.seconds} s, ${r.bulk.lost} lost, ${r.bulk.duplicates} duplicates`,
    ]);
  if (r.feed)
    rows.push([
      `feed, ${r.feed.users} users × ${r.feed.eventsPerFeed} events`,
      `${r.feed.requestsPerSecond} req/s`,
      ms(r.feed.latencyMs.p50),
      ms(r.feed.latencyMs.p95),
      ms(r.feed.latencyMs.p99),
      `${r.feed.status200} × 200, ${r.feed.status304} × 304, ${r.feed.errors} errors, ${r.feed.serviceCpuMsPerRequest} ms API+PostgreSQL CPU/request`,
    ]);
  if (r.spread) rows.push(spreadRow(r.spread));
  if (r.reads) rows.push(...readsRows(r.reads));
  const lines = [
    '| section | throughput | p50 | p95 | p99 | notes |',
    '|---|---|---|---|---|---|',
    ...rows.map((c) => `| ${c.join(' | ')} |`),
  ];
  if (r.ratios) {
    const shape =
      r.ratios.serviceOverFloorServiceShapeThroughput === undefined
        ? ''
        : `, service/floor of the service's shape throughput ${r.ratios.serviceOverFloorServiceShapeThroughput}`;
    const naive =
      r.ratios.naiveOverServiceThroughput === undefined ? '' : `, naive/service throughput ${r.ratios.naiveOverServiceThroughput}`;
    lines.push(
      '',
      `Ratios: service/floor throughput ${r.ratios.serviceOverFloorThroughput}, service/floor p99 ${r.ratios.serviceOverFloorP99}${shape}${naive}.`,
    );
  }
  const cpu = cpuTable(r);
  if (cpu) lines.push('', cpu);
  if (r.paced) lines.unshift(pacedTable(r.paced), '');
  if (r.cost) lines.push('', costTable(r.cost));
  return lines.join('\n');
}
