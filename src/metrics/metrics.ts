import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';
import { cachedFor } from './cached';

// Prometheus series of this process (labels are kinds and outcomes: never ids, names or
// addresses). Served at /metrics on METRICS_PORT, and on the API's port as service.ts and
// app.ts decide (behind METRICS_KEY, or open outside production).

collectDefaultMetrics({ prefix: 'calsync_' });

export const metricsRegistry = register;

export const syncLatency = new Histogram({
  name: 'calsync_sync_latency_seconds',
  help: 'From a booking change being recorded to the calendar write that applies it',
  labelNames: ['provider', 'operation'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
});

export const calendarOperations = new Counter({
  name: 'calsync_calendar_operations_total',
  help: 'Calendar writes by provider, operation and outcome (ok, retrying, failed)',
  labelNames: ['provider', 'operation', 'outcome'] as const,
});

export const databaseQueries = new Counter({
  name: 'calsync_db_queries_total',
  help: 'Statements sent to PostgreSQL (round trips), by verb and first table named',
  labelNames: ['statement'] as const,
});

export const activityDuration = new Histogram({
  name: 'calsync_activity_duration_seconds',
  help: 'Activity attempts by activity and outcome',
  labelNames: ['activity', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});

/** A counter labelled by activity name only. */
const perActivity = (name: string, help: string): Counter<'activity'> => new Counter({ name, help, labelNames: ['activity'] as const });

export const activityRetries = perActivity('calsync_retries_total', 'Activity attempts after the first, by activity');

export const tokenRefreshes = new Counter({
  name: 'calsync_token_refreshes_total',
  help: 'Access-token refresh calls by outcome (refreshed; reused: another caller had just refreshed; needs_reauth; failed)',
  labelNames: ['outcome'] as const,
});

export const rateLimitWaits = perActivity(
  'calsync_rate_limit_waits_total',
  'Provider answers asking to slow down (429, rate-limit 403, quota), by activity',
);

export const rateLimitWaitSeconds = perActivity(
  'calsync_rate_limit_wait_seconds_total',
  'Seconds the provider asked to wait (Retry-After), by activity',
);

/** Gauges counted in the database are recounted at most this often, however often /metrics is scraped. */
export const DATABASE_GAUGE_TTL_MS = 15_000;

let openBookingsSource: (() => Promise<number>) | undefined;

/** Counted from the database at scrape time, at most every DATABASE_GAUGE_TTL_MS (every process would see the same number). */
export const openBookings = new Gauge({
  name: 'calsync_open_bookings',
  help: 'Confirmed bookings that have not ended',
  async collect() {
    if (openBookingsSource) this.set(await openBookingsSource());
  },
});

export function countOpenBookingsWith(source: () => Promise<number>, ttlMs = DATABASE_GAUGE_TTL_MS, now: () => number = Date.now): void {
  openBookingsSource = cachedFor(ttlMs, source, now);
}
