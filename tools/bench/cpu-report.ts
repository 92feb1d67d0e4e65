import type { BenchResult } from './result';

/** Columns of the table: each process group, under the names the floor and the service measure it by. */
const COLUMNS: { title: string; groups: string[] }[] = [
  { title: 'Temporal server', groups: ['temporal'] },
  { title: 'worker', groups: ['worker', 'workers'] },
  { title: 'API', groups: ['api'] },
  { title: 'PostgreSQL', groups: ['postgres'] },
  { title: 'bench driver + emulators', groups: ['bench', 'benchAndSandbox'] },
];

function row(label: string, perBooking: Record<string, number>): string {
  const cells = COLUMNS.map((c) => {
    const values = c.groups.flatMap((g) => (perBooking[g] === undefined ? [] : [perBooking[g]]));
    return values.length === 0 ? '–' : `${values.reduce((a, b) => a + b, 0)} ms`;
  });
  // The service's own share: everything but the driver and the emulators it calls.
  const own = COLUMNS.slice(0, 4).reduce((sum, c) => sum + c.groups.reduce((s, g) => s + (perBooking[g] ?? 0), 0), 0);
  return `| ${label} | ${cells.join(' | ')} | ${Math.round(own * 100) / 100} ms |`;
}

/** CPU per booking by process, floor beside service, so the gap shows by component. */
export function cpuTable(r: BenchResult): string | undefined {
  if (!r.floor && !r.service) return undefined;
  return [
    `| CPU per booking | ${COLUMNS.map((c) => c.title).join(' | ')} | all but driver + emulators |`,
    `|---|${COLUMNS.map(() => '---|').join('')}---|`,
    ...(r.floor ? [row('floor', r.floor.cpuMsPerBooking)] : []),
    ...(r.floorServiceShape ? [row("floor, the service's workflow shape", r.floorServiceShape.cpuMsPerBooking)] : []),
    ...(r.service ? [row('service', r.service.cpuMsPerBooking)] : []),
  ].join('\n');
}
