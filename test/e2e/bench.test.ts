import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../../tools/bench/options';
import type { BenchResult } from '../../tools/bench/result';
import { runScript } from '../support/script-process';

/** The reads section on a small scale: 200 users' busy times, each route offered 20 requests/s for 3 s. */
const SMALL_READS = ['--reads-users', '200', '--reads-rate', '20', '--reads-seconds', '3'];

/** Every offer of each read route answered 200 with what was stored, at about the rate offered. */
function expectHonestReads(r: BenchResult): void {
  expect(r.reads).toMatchObject({ users: 200, intervalsPerUser: 8, seconds: 3 });
  expect(r.reads!.setupSeconds).toBeGreaterThan(0);
  for (const route of [r.reads!.busy, r.reads!.check]) {
    expect(route).toMatchObject({ offeredPerSecond: 20, offers: 60, status2xx: 60, non2xx: 0, wrong: 0 });
    expect(route.latencyMs.p50).toBeGreaterThan(0);
    expect(route.latencyMs.p50).toBeLessThanOrEqual(route.latencyMs.p95);
    expect(route.latencyMs.p95).toBeLessThanOrEqual(route.latencyMs.p99);
    expect(route.latencyMs.p99).toBeLessThanOrEqual(route.latencyMs.max);
    // Open loop on a fixed schedule: sent near the rate, and answered as fast as sent (no backlog at 20/s).
    expect(route.sentPerSecond).toBeGreaterThan(15);
    expect(route.sentPerSecond).toBeLessThan(25);
    expect(route.achievedPerSecond).toBeGreaterThan(15);
    expect(route.achievedPerSecond).toBeLessThan(25);
  }
  expect(r.reads!.busy.route).toBe('GET /v1/users/:userId/busy');
  expect(r.reads!.check).toMatchObject({ route: 'POST /v1/availability/check', usersPerCheck: 2 });
}

describe('npm run bench', () => {
  it(
    'runs every section on a small scale and reports figures that hold up: every event once, the naive design losing events under faults, the service none, and what each booking change costs',
    { timeout: 15 * 60_000 },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'calsync-bench-test-'));
      try {
        const out = path.join(dir, 'result.json');
        const run = await runScript('tools/bench/run.ts', [
          '--bookings',
          '12',
          '--concurrency',
          '4',
          '--users',
          '3',
          '--bulk-bookings',
          '30',
          '--scale',
          '6,12',
          '--fault-rate',
          '0.5',
          '--feed-users',
          '3',
          '--feed-seconds',
          '2',
          '--paced-loads',
          '0.25,0.5',
          '--paced-seconds',
          '3',
          ...SMALL_READS,
          // The spread section has a test of its own (below).
          '--only',
          SECTIONS.filter((s) => s !== 'spread').join(','),
          '--out',
          out,
        ]);
        expect(run.code, run.stderr.slice(-3000)).toBe(0);
        const r = JSON.parse(run.stdout) as BenchResult;
        expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(r);

        expect(r.floor).toMatchObject({ bookings: 12, completed: 12 });
        expect(r.floor!.throughputPerSecond).toBeGreaterThan(0);
        // The floor again with the service's workflow shape, its own workflows, every one completed.
        expect(r.floorServiceShape).toMatchObject({ bookings: 12, completed: 12 });
        expect(r.ratios!.serviceOverFloorServiceShapeThroughput).toBeGreaterThan(0);
        expect(r.service).toMatchObject({ bookings: 12, eventsVerified: 24, duplicates: 0, lost: 0, refused: 0 });
        expect(r.service!.latencyMs.p99).toBeGreaterThanOrEqual(r.service!.latencyMs.p50);
        expect(r.ratios?.serviceOverFloorThroughput).toBeGreaterThan(0);
        // CPU per booking by process, on both sides: the worker and Temporal did work for each booking.
        for (const side of [r.floor!.cpuMsPerBooking, r.service!.cpuMsPerBooking]) expect(side.temporal).toBeGreaterThan(0);
        expect(r.floor!.cpuMsPerBooking.worker).toBeGreaterThan(0);
        expect(r.service!.cpuMsPerBooking.workers).toBeGreaterThan(0);
        expect(run.stderr).toContain('| CPU per booking | Temporal server | worker |');

        // Without faults the naive design writes everything; with half the calls failing it loses
        // events (24 calls: the chance that none is lost is about 1 in 30,000), the service none.
        expect(r.naive?.clean).toMatchObject({ eventsVerified: 24, lost: 0 });
        expect(r.naive!.faulty.lost).toBeGreaterThan(0);
        expect(r.naive!.faulty.failedCalls).toBeGreaterThan(0);
        expect(r.naive?.serviceWithFaults).toMatchObject({ eventsVerified: 24, lost: 0, duplicates: 0 });

        expect(r.scale!.points.map((p) => p.bookings)).toEqual([6, 12]);
        expect(r.scale!.points.every((p) => p.workerPeakRssMiB > 0)).toBe(true);
        // Every measured booking's workflow is still open (the lessons lie in the future).
        expect(r.scale!.openBookingWorkflows).toBeGreaterThanOrEqual(12 + 12 + 6);

        expect(r.bulk).toMatchObject({ bookings: 30, quotaPerSecond: 10, quotaWindowSeconds: 60, rateLimited: 0, lost: 0, duplicates: 0 });
        expect(r.bulk!.requests).toBeGreaterThanOrEqual(30);
        // 30 requests fit in the sandbox's minute, so rateLimited alone cannot fail here; the pace can:
        // unpaced, the writes take about a second and the account sees more than the quota a second.
        expect(r.bulk!.utilization).toBeLessThanOrEqual(1);
        expect(r.bulk!.paceUtilization).toBeGreaterThan(0);

        // Every poll answered with a whole feed of the user's bookings or a 304 for its ETag.
        expect(r.feed).toMatchObject({ users: 3, eventsPerFeed: 5, errors: 0 });
        expect(r.feed!.requests).toBeGreaterThan(0);
        expect(r.feed!.status200 + r.feed!.status304).toBe(r.feed!.requests);
        // Each feed was fetched once before measuring; then a quarter of the polls fetch in full, the rest are conditional.
        expect(r.feed!.status200).toBeGreaterThanOrEqual(3);
        expect(r.feed!.status304).toBeGreaterThan(0);
        expect(r.feed!.requestsPerSecond).toBeGreaterThan(0);
        expect(r.feed!.latencyMs.p99).toBeGreaterThanOrEqual(r.feed!.latencyMs.p50);

        // Latency at load: each rate offered to both sides, every offer measured, none lost.
        expect(r.paced!.map((p) => p.load)).toEqual([0.25, 0.5]);
        for (const p of r.paced!) {
          expect(p.capacityPerSecond).toBe(r.floor!.throughputPerSecond);
          expect(p.offeredPerSecond).toBeGreaterThan(0);
          expect(p.service).toMatchObject({ refused: 0, lost: 0, duplicates: 0 });
          for (const side of [p.service, p.floor]) {
            expect(side.count).toBeGreaterThan(0);
            expect(side.count).toBe(side.offers);
            expect(side.p50Ms).toBeLessThanOrEqual(side.p95Ms);
            expect(side.p95Ms).toBeLessThanOrEqual(side.p99Ms);
            // Open loop on a fixed schedule: the offers went out near the rate asked for.
            expect(side.achievedPerSecond).toBeGreaterThan(p.offeredPerSecond / 2);
            expect(side.achievedPerSecond).toBeLessThan(p.offeredPerSecond * 1.5);
          }
          expect(p.p99Ratio).toBeGreaterThan(0);
        }
        const [low, high] = r.paced!;
        expect(high!.offeredPerSecond).toBeGreaterThan(low!.offeredPerSecond);
        // Each change of the two-calendar booking: its signal (the confirm's Signal-With-Start is one
        // Action), the reconcile and a calendar write per participant; the API reaches only Temporal.
        const { confirm, reschedule, cancel, perCalendarDay, participants } = r.cost!;
        expect(confirm.actionsByKind).toMatchObject({ workflowStarted: 1 });
        expect(confirm.actionsByKind.signal ?? 0).toBe(0);
        expect(reschedule.actionsByKind.signal).toBe(1);
        expect(cancel.actionsByKind.signal).toBe(1);
        for (const c of [confirm, reschedule, cancel]) {
          expect(c.actionsByKind.activity).toBeGreaterThanOrEqual(3);
          expect(c.temporalActions).toBeGreaterThanOrEqual(4);
          expect(c.dbQueriesByProcess.api).toBe(0);
          // The worker's statements: the reconcile's preparation (prior, projection and accounts) in
          // one, then per participant the account with a request token in one and the outcome in one
          // (which starts with the account's row too, so both count as `with calendar_connections`).
          expect(c.statements.worker).toEqual({ 'with bookings': 1, 'with calendar_connections': 2 * participants });
          expect(c.dbQueriesByProcess.worker).toBe(1 + 2 * participants);
          expect(c.dbQueries).toBe(c.dbQueriesByProcess.api + c.dbQueriesByProcess.worker);
          expect(c.providerCalls).toBeGreaterThanOrEqual(2);
        }
        // The default BUSY_POLL_INTERVAL (15 min): 96 reads a day, each reading the calendar.
        expect(perCalendarDay.busyReadsPerDay).toBe(96);
        expect(perCalendarDay.busyRead.providerCalls).toBeGreaterThanOrEqual(1);
        expect(perCalendarDay.busyRead.temporalActions).toBeGreaterThanOrEqual(1);
        expect(perCalendarDay.providerCalls).toBe(96 * perCalendarDay.busyRead.providerCalls);

        expectHonestReads(r);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'offers the availability check and the busy read at a fixed rate over stored busy times: every offer answered 200 with what was stored',
    { timeout: 5 * 60_000 },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'calsync-bench-reads-test-'));
      try {
        const out = path.join(dir, 'result.json');
        const run = await runScript('tools/bench/run.ts', ['--only', 'reads', ...SMALL_READS, '--out', out]);
        expect(run.code, run.stderr.slice(-3000)).toBe(0);
        const r = JSON.parse(run.stdout) as BenchResult;
        expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(r);
        expect(Object.keys(r).filter((k) => !['startedAt', 'machine', 'options', 'totalSeconds'].includes(k))).toEqual(['reads']);
        expectHonestReads(r);
        expect(run.stderr).toContain('| availability check (2 users), 200 users × 8 intervals |');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'spreads confirms over two API processes and their bookings over two worker processes, each event written once',
    { timeout: 10 * 60_000 },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'calsync-bench-test-'));
      try {
        const out = path.join(dir, 'result.json');
        const run = await runScript('tools/bench/run.ts', [
          '--only',
          'spread',
          '--spread-bookings',
          '30',
          '--concurrency',
          '4',
          '--users',
          '3',
          '--out',
          out,
        ]);
        expect(run.code, run.stderr.slice(-3000)).toBe(0);
        const s = (JSON.parse(run.stdout) as BenchResult).spread!;
        // Read from the sandbox: every participant's event, none twice.
        expect(s).toMatchObject({ bookings: 30, eventsVerified: 60, duplicates: 0, lost: 0, refused: 0 });
        // Both APIs answered confirms (sent alternately), both workers wrote events (as Temporal's matching chose).
        expect(Object.keys(s.apis)).toEqual(['api-0', 'api-1']);
        expect(Object.keys(s.workers)).toEqual(['worker-0', 'worker-1']);
        expect(Object.values(s.apis).map((a) => a.accepted)).toEqual([15, 15]);
        for (const w of Object.values(s.workers)) expect(w.calendarWrites).toBeGreaterThan(0);
        // Every event written by exactly one worker, once: the workers' counters add up to the events.
        expect(s.calendarWrites).toBe(60);
        expect(s.shared).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
