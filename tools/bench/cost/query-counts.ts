/** Statements each service process has sent to PostgreSQL, by statement kind (`select bookings`). */
export type QueryCounts = Record<string, number>;

const LINE = /^calsync_db_queries_total\{statement="([^"]*)"\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;

/** The `calsync_db_queries_total` series of a Prometheus text exposition. */
export function parseQueryCounts(exposition: string): QueryCounts {
  const out: QueryCounts = {};
  for (const line of exposition.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

export async function scrapeQueryCounts(metricsUrl: string): Promise<QueryCounts> {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  return parseQueryCounts(await res.text());
}

/** What `after` counts beyond `before`, kinds that did not move left out. */
export function queryDelta(before: QueryCounts, after: QueryCounts): QueryCounts {
  const out: QueryCounts = {};
  for (const [kind, n] of Object.entries(after)) {
    const d = n - (before[kind] ?? 0);
    if (d > 0) out[kind] = d;
  }
  return out;
}

export const totalQueries = (c: QueryCounts): number => Object.values(c).reduce((n, v) => n + v, 0);
