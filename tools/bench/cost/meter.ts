import { sleep } from '../../dev/child-processes';
import type { BenchEnvironment } from '../environment';
import { queryDelta, scrapeQueryCounts, totalQueries, type QueryCounts } from './query-counts';

/** Statements by process role: the API's, and every worker's summed. */
export interface ProcessQueries {
  api: QueryCounts;
  worker: QueryCounts;
}

export interface MeterReading {
  queries: ProcessQueries;
  /** Requests the Google sandbox has answered (OAuth and Calendar API). */
  providerCalls: number;
}

export interface MeteredCost {
  queries: ProcessQueries;
  dbQueries: number;
  providerCalls: number;
}

/**
 * Every process's /metrics also runs the open-bookings gauge's count query, at most once per
 * DATABASE_GAUGE_TTL_MS (15 s) and only when scraped; its increment may land in that scrape's
 * own reading or in the next one. So each window starts with a scrape after the cache has
 * surely expired (it runs that query), then a second one whose reading includes it and starts
 * the window; a window that ends within the 15 s then holds none of those queries. A longer
 * one ends with two scrapes after the cache has surely expired again, and exactly one
 * `select bookings` per process is taken off.
 */
const GAUGE_TTL_MS = 15_000;
const MARGIN_MS = 500;
const GAUGE_STATEMENT = 'select bookings';

export class CostMeter {
  private lastScrapeEnd = 0;
  private windowStart = 0;
  private start: MeterReading | undefined;

  constructor(private readonly env: BenchEnvironment) {}

  private async read(): Promise<MeterReading> {
    const [api, workers, stats] = await Promise.all([
      scrapeQueryCounts(this.env.metricsUrls.api),
      Promise.all(this.env.metricsUrls.workers.map(scrapeQueryCounts)),
      this.env.sandbox.stats(),
    ]);
    const worker: QueryCounts = {};
    for (const w of workers) for (const [k, n] of Object.entries(w)) worker[k] = (worker[k] ?? 0) + n;
    this.lastScrapeEnd = Date.now();
    return { queries: { api, worker }, providerCalls: stats.requests };
  }

  private async scrapeAfterExpiry(): Promise<void> {
    await sleep(Math.max(0, this.lastScrapeEnd + GAUGE_TTL_MS + MARGIN_MS - Date.now()));
    this.windowStart = Date.now();
    await this.read();
  }

  /** Starts a window: what happens from now on is counted by `stop`. */
  async begin(): Promise<void> {
    await this.scrapeAfterExpiry();
    this.start = await this.read();
  }

  async stop(): Promise<MeteredCost> {
    const start = this.start;
    if (!start) throw new Error('CostMeter.stop without begin');
    let end: MeterReading;
    let gaugeQueries = 0;
    if (Date.now() < this.windowStart + GAUGE_TTL_MS - MARGIN_MS) end = await this.read();
    else {
      await this.scrapeAfterExpiry();
      end = await this.read();
      gaugeQueries = 1;
    }
    const api = queryDelta(start.queries.api, end.queries.api);
    const worker = queryDelta(start.queries.worker, end.queries.worker);
    const workerProcesses = this.env.metricsUrls.workers.length;
    for (const [counts, processes] of [
      [api, 1],
      [worker, workerProcesses],
    ] as const) {
      const left = (counts[GAUGE_STATEMENT] ?? 0) - gaugeQueries * processes;
      if (left > 0) counts[GAUGE_STATEMENT] = left;
      else delete counts[GAUGE_STATEMENT];
    }
    return {
      queries: { api, worker },
      dbQueries: totalQueries(api) + totalQueries(worker),
      providerCalls: end.providerCalls - start.providerCalls,
    };
  }
}
