import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../tools/bench/options';
import { pacedSide, p99Ratio, type PacedPoint } from '../../tools/bench/paced/figures';
import { offerAtRate, offersFor } from '../../tools/bench/paced/offer';
import { pacedTable } from '../../tools/bench/paced/report';

describe('offerAtRate', () => {
  it('sends on a fixed schedule without waiting for earlier offers to end (open loop)', async () => {
    const sent: number[] = [];
    const ended: number[] = [];
    const t0 = performance.now();
    // 10 offers at 100/s, each taking 300 ms: a closed loop would need 3 s, the schedule 90 ms.
    const offers = await offerAtRate(10, 100, async (i) => {
      sent[i] = performance.now() - t0;
      await new Promise((resolve) => setTimeout(resolve, 300));
      ended[i] = performance.now() - t0;
    });
    expect(offers.offers).toBe(10);
    expect(sent).toHaveLength(10);
    // The last offer went out before the first one ended.
    expect(sent[9]!).toBeLessThan(ended[0]!);
    // Not a burst: the i-th offer about i intervals after the first (Node's timers may fire a
    // millisecond or two early).
    sent.forEach((at, i) => expect(at - sent[0]!).toBeGreaterThanOrEqual(i * 10 - 3));
    expect(offers.achievedPerSecond).toBeLessThanOrEqual(101);
    expect(offers.achievedPerSecond).toBeGreaterThan(30);
    // Resolved only once every offer had ended.
    expect(ended).toHaveLength(10);
  });

  it('reports the rate the offers actually went out at when the driver falls behind', async () => {
    // Each offer blocks the event loop for 30 ms: five go out over about 121 ms, some 41 a second.
    const offers = await offerAtRate(5, 1000, (): Promise<void> => {
      const until = performance.now() + 30;
      while (performance.now() < until);
      return Promise.resolve();
    });
    expect(offers.achievedPerSecond).toBeLessThan(45);
  });
});

describe('paced figures', () => {
  it('offers at least one per rate, and rate × seconds rounded', () => {
    expect(offersFor(0.01, 2)).toBe(1);
    expect(offersFor(16.755, 30)).toBe(503);
  });

  it('summarizes a side by nearest rank and takes the p99 ratio against at least 1 ms', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    const side = pacedSide({ offers: 101, achievedPerSecond: 9.9 }, 1, latencies, [5, 7, 3]);
    expect(side).toEqual({
      offers: 101,
      achievedPerSecond: 9.9,
      count: 100,
      refused: 1,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      maxMs: 100,
      acceptP99Ms: 7,
    });
    expect(p99Ratio(side, { ...side, p99Ms: 33 })).toBe(3);
    expect(p99Ratio(side, { ...side, p99Ms: 0 })).toBe(99);
  });

  it('prints one row per load, the service beside the floor', () => {
    const side = pacedSide({ offers: 4, achievedPerSecond: 2 }, 0, [10, 20, 30, 40], [1, 2]);
    const point: PacedPoint = {
      load: 0.25,
      capacityPerSecond: 8,
      offeredPerSecond: 2,
      seconds: 2,
      service: { ...side, p99Ms: 80, duplicates: 0, lost: 0 },
      floor: side,
      p99Ratio: 2,
    };
    const lines = pacedTable([point, { ...point, load: 0.5 }]).split('\n');
    expect(lines[0]).toBe('Latency at load (open loop, 2 s per rate and side, load 1 = 8/s):');
    expect(lines[4]).toBe(
      '| 25 % | 2/s | 2/s, 2/s | 20 / 40 / 80 ms | 20 / 40 / 40 ms | 2 | service 4/4 bookings, 0 lost, 0 duplicates, 202 p99 2 ms; floor 4/4 completed, start p99 2 ms |',
    );
    expect(lines[5]).toMatch(/^\| 50 % \|/);
    expect(lines).toHaveLength(6);
  });
});

describe('paced options', () => {
  it('defaults to 25, 50 and 75 % for 30 s each, in the default sections', () => {
    const o = parseBenchOptions([]);
    expect(o).toMatchObject({ pacedLoads: [0.25, 0.5, 0.75], pacedSeconds: 20 });
    expect(o.pacedCapacity).toBeUndefined();
    expect(o.sections).toContain('paced');
  });

  it('needs a capacity when the floor does not run', () => {
    expect(() => parseBenchOptions(['--only', 'paced'])).toThrow(/--paced-capacity/);
    expect(parseBenchOptions(['--only', 'paced', '--paced-capacity', '40', '--paced-loads', '0.1,0.9'])).toMatchObject({
      sections: ['paced'],
      pacedCapacity: 40,
      pacedLoads: [0.1, 0.9],
    });
    expect(() => parseBenchOptions(['--paced-loads', '0'])).toThrow();
  });
});
