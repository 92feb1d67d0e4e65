import type { PacedPoint } from './figures';

const pct = (load: number) => `${Math.round(load * 1000) / 10} %`;

/** The paced section as a Markdown table: one row per load, the service beside the floor. */
export function pacedTable(points: PacedPoint[]): string {
  const capacity = points[0]?.capacityPerSecond;
  const rows = points.map((p) => {
    const s = p.service;
    const f = p.floor;
    return [
      pct(p.load),
      `${p.offeredPerSecond}/s`,
      `${s.achievedPerSecond}/s, ${f.achievedPerSecond}/s`,
      `${s.p50Ms} / ${s.p95Ms} / ${s.p99Ms} ms`,
      `${f.p50Ms} / ${f.p95Ms} / ${f.p99Ms} ms`,
      String(p.p99Ratio),
      `service ${s.count}/${s.offers} bookings, ${s.lost} lost, ${s.duplicates} duplicates, 202 p99 ${s.acceptP99Ms} ms; ` +
        `floor ${f.count}/${f.offers} completed, start p99 ${f.acceptP99Ms} ms`,
    ];
  });
  return [
    `Latency at load (open loop, ${points[0]?.seconds ?? 0} s per rate and side, load 1 = ${capacity}/s):`,
    '',
    '| load | offered | sent (service, floor) | service p50 / p95 / p99 | floor p50 / p95 / p99 | p99 service/floor | notes |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((c) => `| ${c.join(' | ')} |`),
  ].join('\n');
}
