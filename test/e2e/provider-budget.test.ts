import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PACE_SHARE, takeRequestToken } from '../../src/activities/concurrency';
import { PgProviderBudgetStore } from '../../src/db/provider-budget';
import { createPool } from '../../src/db/pool';

/** Two pools: two workers sharing one database. */
const pools = [createPool(inject('databaseUrl'), 5), createPool(inject('databaseUrl'), 5)];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

describe('provider request budget (PostgreSQL)', () => {
  it('gives out no more than the burst at once, whichever worker asks', async () => {
    const stores = pools.map((p) => new PgProviderBudgetStore(p));
    const key = `connection:${randomUUID()}`;
    // One token every 10 s: none comes back during the test.
    const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.tryTake(key, 0.1, 5)));
    expect(taken.filter(Boolean)).toHaveLength(5);
    expect(await stores[0]!.tryTake(`connection:${randomUUID()}`, 0.1, 5)).toBe(true);
  });

  it('paces calls past the burst at 98 % of the quota', async () => {
    const store = new PgProviderBudgetStore(pools[0]!);
    const key = `connection:${randomUUID()}`;
    const started = Date.now();
    // Google's 10 a second: a burst of 9.8, then one every 1/9.8 s for the other 10.
    await Promise.all(Array.from({ length: 20 }, () => takeRequestToken(store, key, 10)));
    expect(Date.now() - started).toBeGreaterThanOrEqual((10 / (10 * PACE_SHARE)) * 1000 - 150);
  });
});
