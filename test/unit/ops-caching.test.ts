import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { readinessCheck, type ProcessState } from '../../src/api/readiness';
import { metricsOnApiPort } from '../../src/api/routes/ops';
import { PgBookingStore } from '../../src/db/bookings';
import { BookingPersonalSeal } from '../../src/db/booking-personal-data';
import { SecretBox } from '../../src/crypto/secret-box';
import { PgDatabaseHealth } from '../../src/db/health';
import { cachedFor } from '../../src/metrics/cached';
import { countOpenBookingsWith, metricsRegistry } from '../../src/metrics/metrics';

/** A stand-in for the pool that counts the queries sent to it and answers each like PostgreSQL would here. */
function countingPool(answer: (text: string) => unknown[] = () => [{ n: '3' }]): { pool: Pool; queries: string[] } {
  const queries: string[] = [];
  const pool = {
    query: (text: string) => {
      queries.push(text);
      return new Promise((resolve) => setImmediate(() => resolve({ rows: answer(text), rowCount: 1 })));
    },
  };
  return { pool: pool as unknown as Pool, queries };
}

/** A clock the test moves. */
function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('readiness', () => {
  it('asks PostgreSQL and Temporal once for a flood of probes, again only after the cache window', async () => {
    const { pool, queries } = countingPool();
    let pings = 0;
    const time = clock();
    const ready = readinessCheck(new PgDatabaseHealth(pool), { ping: () => (pings++, Promise.resolve()) }, undefined, {
      ttlMs: 2_000,
      now: time.now,
    });
    const answers = await Promise.all(Array.from({ length: 200 }, () => ready()));
    expect(answers.every((a) => a.ready)).toBe(true);
    expect(queries).toEqual(['SELECT 1']);
    expect(pings).toBe(1);

    time.advance(1_999);
    await ready();
    expect(queries).toHaveLength(1);
    time.advance(1);
    await ready();
    expect(queries).toHaveLength(2);
    expect(pings).toBe(2);
  });

  it('reads shutting down and the worker state live, within the cache window', async () => {
    const { pool } = countingPool();
    let shuttingDown = false;
    let worker: 'running' | 'stopped' = 'running';
    const state: ProcessState = { shuttingDown: () => shuttingDown, worker: () => worker };
    const ready = readinessCheck(new PgDatabaseHealth(pool), { ping: () => Promise.resolve() }, state, { ttlMs: 60_000 });
    expect(await ready()).toEqual({
      ready: true,
      body: { status: 'ready', checks: { database: 'ok', temporal: 'ok', worker: 'running' } },
    });
    worker = 'stopped';
    expect(await ready()).toEqual({
      ready: false,
      body: { status: 'not_ready', checks: { database: 'ok', temporal: 'ok', worker: 'stopped' } },
    });
    shuttingDown = true;
    expect(await ready()).toEqual({ ready: false, body: { status: 'shutting_down' } });
  });

  it('does not keep a failed answer past its window', async () => {
    let fail = true;
    const time = clock();
    const ready = readinessCheck(
      { ping: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve()) },
      { ping: () => Promise.resolve() },
      undefined,
      { ttlMs: 2_000, now: time.now },
    );
    expect((await ready()).ready).toBe(false);
    fail = false;
    expect((await ready()).ready).toBe(false);
    time.advance(2_000);
    expect((await ready()).ready).toBe(true);
  });
});

describe('database gauges', () => {
  it('count open bookings at most once per window however often /metrics is scraped', async () => {
    const { pool, queries } = countingPool(() => [{ n: '7' }]);
    const time = clock();
    const seal = new BookingPersonalSeal(new SecretBox([{ id: 'k', key: Buffer.alloc(32) }]));
    countOpenBookingsWith(() => new PgBookingStore(pool, seal).countOpen(), 15_000, time.now);
    for (let i = 0; i < 20; i++)
      expect(await metricsRegistry.getSingleMetricAsString('calsync_open_bookings')).toContain('calsync_open_bookings 7');
    expect(queries).toHaveLength(1);
    time.advance(15_000);
    await metricsRegistry.getSingleMetricAsString('calsync_open_bookings');
    expect(queries).toHaveLength(2);
  });
});

describe('cachedFor', () => {
  it('shares one running load between concurrent callers and retries after a failure', async () => {
    let loads = 0;
    let fail = true;
    const load = cachedFor(1_000, async () => {
      loads++;
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error('no');
      return loads;
    });
    await expect(Promise.all([load(), load(), load()])).rejects.toThrow('no');
    expect(loads).toBe(1);
    fail = false;
    expect(await Promise.all([load(), load()])).toEqual([2, 2]);
    expect(loads).toBe(2);
  });
});

describe('/metrics on the API port', () => {
  it('needs METRICS_KEY when set; without it, open outside production and absent in production', () => {
    expect(metricsOnApiPort({ nodeEnv: 'production', metricsKey: 'k'.repeat(30) })).toEqual({ kind: 'key', key: 'k'.repeat(30) });
    expect(metricsOnApiPort({ nodeEnv: 'production', metricsKey: undefined })).toEqual({ kind: 'absent' });
    expect(metricsOnApiPort({ nodeEnv: 'test', metricsKey: undefined })).toEqual({ kind: 'open' });
  });
});
