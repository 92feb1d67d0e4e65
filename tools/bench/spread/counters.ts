/** One sample of a Prometheus text exposition: its metric name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line.trim());
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels include `match`. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** The counters of one process that say how much of the section's work it did. */
export interface WorkCounters {
  /** Calendar writes that succeeded (`calsync_calendar_operations_total{outcome="ok"}`): a worker's work. */
  calendarWrites: number;
  /** Activity attempts, any outcome (`calsync_activity_duration_seconds_count`). */
  activities: number;
  /** `calsync_process_cpu_seconds_total`: CPU the process used, whatever its role. */
  cpuSeconds: number;
}

export function workCounters(samples: Sample[]): WorkCounters {
  return {
    calendarWrites: sumOf(samples, 'calsync_calendar_operations_total', { outcome: 'ok' }),
    activities: sumOf(samples, 'calsync_activity_duration_seconds_count'),
    cpuSeconds: sumOf(samples, 'calsync_process_cpu_seconds_total'),
  };
}

export async function scrapeWorkCounters(metricsUrl: string): Promise<WorkCounters> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  return workCounters(parseExposition(await res.text()));
}

/** What each counter moved between two scrapes of the same process (counters only grow while it runs). */
export function counterDelta(before: WorkCounters, after: WorkCounters): WorkCounters {
  return {
    calendarWrites: after.calendarWrites - before.calendarWrites,
    activities: after.activities - before.activities,
    cpuSeconds: Math.round((after.cpuSeconds - before.cpuSeconds) * 100) / 100,
  };
}
