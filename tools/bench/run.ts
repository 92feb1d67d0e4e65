import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emulatorFaultRules } from '../chaos/faults';
import { runBulk } from './bulk';
import { runCost } from './cost/run';
import { startBenchEnvironment, type BenchEnvironment } from './environment';
import { runFeed } from './feed/run';
import { round2 } from './figures';
import { runFloor, warmupSize } from './floor/run';
import { runNaive } from './naive/run';
import { createNaiveTables } from './naive/schema';
import { connectNaiveUsers } from './naive/tokens';
import { parseBenchOptions, type BenchOptions } from './options';
import { runPaced } from './paced/run';
import { runReads } from './reads/run';
import { markdownTable } from './report';
import type { BenchResult } from './result';
import { idleFigures, scalePoint } from './scale';
import { connectUsers, type BenchUser } from './service/participants';
import { runServiceBookings, type ServiceFigures } from './service/run';
import { runSpread } from './spread/run';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function runSections(env: BenchEnvironment, o: BenchOptions, result: BenchResult): Promise<void> {
  const wants = (s: BenchOptions['sections'][number]) => o.sections.includes(s);
  // Before the other sections connect their users: those calendars' busy reads would fall in its windows.
  if (wants('cost')) {
    log('cost: confirm, reschedule and cancel of one booking, each metered');
    result.cost = await runCost(env, { log });
  }
  const needsUsers = wants('service') || wants('naive') || wants('scale') || wants('paced');
  const tutors: BenchUser[] = needsUsers ? await connectUsers(env, `${env.runId}-t`, o.users) : [];
  const clients: BenchUser[] = needsUsers ? await connectUsers(env, `${env.runId}-c`, o.users) : [];
  if (needsUsers) log(`connected ${tutors.length + clients.length} Google sandbox calendars`);
  const service = (label: string, bookings: number) =>
    runServiceBookings(env, { label, bookings, concurrency: o.concurrency, tutors, clients, log });

  if (wants('floor')) {
    log(`floor: ${o.bookings} bookings`);
    result.floor = await runFloor(env, { bookings: o.bookings, concurrency: o.concurrency, log });
    log(`floor: ${JSON.stringify(result.floor)}`);
    log(`floor, the service's workflow shape: ${o.bookings} bookings`);
    result.floorServiceShape = await runFloor(env, { bookings: o.bookings, concurrency: o.concurrency, shape: 'service', log });
    log(`floor, the service's workflow shape: ${JSON.stringify(result.floorServiceShape)}`);
  }
  if (wants('service')) {
    log(`service: warm-up (${warmupSize(o.bookings)} bookings, not measured)`);
    await service('warmup', warmupSize(o.bookings));
    log(`service: ${o.bookings} bookings`);
    result.service = await service('service', o.bookings);
    log(`service: ${JSON.stringify(result.service)}`);
  }
  if (wants('naive')) {
    await createNaiveTables(env.pool);
    await connectNaiveUsers(env, env.pool, [...tutors, ...clients]);
    log(`naive: ${o.bookings} bookings`);
    const clean = await runNaive(env, { label: 'naive', bookings: o.bookings, tutors, clients, log });
    log(`naive: ${JSON.stringify(clean)}`);
    for (const rule of emulatorFaultRules(o.faultRate, 7)) await env.sandbox.addFault(rule);
    let faulty;
    let serviceWithFaults: ServiceFigures | undefined;
    try {
      log(`naive with ${o.faultRate * 100}% faults: ${o.bookings} bookings`);
      faulty = await runNaive(env, { label: 'naive-faults', bookings: o.bookings, tutors, clients, log });
      log(`naive with faults: ${JSON.stringify(faulty)}`);
      log(`service with ${o.faultRate * 100}% faults: ${o.bookings} bookings`);
      serviceWithFaults = await service('service-faults', o.bookings);
      log(`service with faults: ${JSON.stringify(serviceWithFaults)}`);
    } finally {
      await env.sandbox.clearFaults();
    }
    result.naive = { faultRate: o.faultRate, clean, faulty, serviceWithFaults };
  }
  if (wants('scale')) {
    const points = [];
    for (const n of o.scale) {
      // The service section already ran this size on the same setup.
      const reuse = result.service?.bookings === n ? result.service : undefined;
      log(`scale: ${n} bookings${reuse ? ' (the service section’s run)' : ''}`);
      const figures = reuse ?? (await service(`scale${n}`, n));
      points.push(scalePoint(figures));
      log(`scale: ${JSON.stringify(points[points.length - 1])}`);
    }
    result.scale = { points, ...(await idleFigures(env)) };
    log(`scale: ${result.scale.openBookingWorkflows} open booking workflows, worker RSS ${result.scale.idleWorkerRssMiB} MiB`);
  }
  if (wants('paced')) {
    // After scale: its bookings would count among the scale section's open workflows.
    result.paced = await runPaced(env, {
      loads: o.pacedLoads,
      seconds: o.pacedSeconds,
      // The options require one of the two.
      capacityPerSecond: o.pacedCapacity ?? result.floor!.throughputPerSecond,
      concurrency: o.concurrency,
      warmUpService: !result.service,
      tutors,
      clients,
      log,
    });
  }
  if (wants('bulk')) {
    log(`bulk: ${o.bulkBookings} existing bookings, quota ${o.quota}/s over ${o.quotaWindow} s`);
    result.bulk = await runBulk(env, {
      bookings: o.bulkBookings,
      quota: o.quota,
      quotaWindow: o.quotaWindow,
      concurrency: o.concurrency,
      log,
    });
    log(`bulk: ${JSON.stringify(result.bulk)}`);
  }
  if (wants('spread')) {
    // After scale (its bookings would count among that section's open workflows); it stops the
    // processes it adds, so the sections after it see the usual environment.
    log(`spread: ${o.spreadBookings} bookings over two API and two worker processes`);
    result.spread = await runSpread(env, {
      bookings: o.spreadBookings,
      concurrency: o.concurrency,
      users: o.users,
      apis: 2,
      workers: Math.max(2, o.workers),
      log,
    });
    log(`spread: ${JSON.stringify(result.spread)}`);
  }
  if (wants('feed')) {
    // Its bookings are stored rows without workflows (see storeFeedBookings): no other section counts them.
    log(`feed: ${o.feedUsers} users, ${o.feedSeconds} s of polling`);
    result.feed = await runFeed(env, { users: o.feedUsers, seconds: o.feedSeconds, concurrency: o.concurrency, log });
    log(`feed: ${JSON.stringify(result.feed)}`);
  }
  if (wants('reads')) {
    // Its users have calendar accounts but no workflows: nothing else in the run reads them.
    log(`reads: ${o.readsUsers} users' busy times, ${o.readsRate} requests/s per route for ${o.readsSeconds} s`);
    result.reads = await runReads(env, { users: o.readsUsers, perSecond: o.readsRate, seconds: o.readsSeconds, log });
  }
  if (result.floor && result.service) {
    result.ratios = {
      serviceOverFloorThroughput: round2(result.service.throughputPerSecond / result.floor.throughputPerSecond),
      serviceOverFloorP99: round2(result.service.latencyMs.p99 / result.floor.latencyMs.p99),
      ...(result.floorServiceShape
        ? {
            serviceOverFloorServiceShapeThroughput: round2(
              result.service.throughputPerSecond / result.floorServiceShape.throughputPerSecond,
            ),
          }
        : {}),
      ...(result.naive
        ? { naiveOverServiceThroughput: round2(result.naive.clean.throughputPerSecond / result.service.throughputPerSecond) }
        : {}),
    };
  }
}

/** Runs the chosen sections on a fresh environment and returns every figure. */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const started = Date.now();
  const result: BenchResult = {
    startedAt: new Date(started).toISOString(),
    machine: {
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    options: o,
    totalSeconds: 0,
  };
  log(`starting: ${JSON.stringify(o)}`);
  const env = await startBenchEnvironment({
    workers: o.workers,
    workerCache: o.workerCache,
    built: o.runFrom === 'dist',
    quota: o.quota,
    log,
  });
  try {
    await runSections(env, o, result);
  } finally {
    await env.close();
  }
  result.totalSeconds = Math.round((Date.now() - started) / 1000);
  return result;
}

async function main(): Promise<void> {
  const o = parseBenchOptions(process.argv.slice(2));
  const result = await runBench(o);
  const json = JSON.stringify(result, null, 2);
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  writeFileSync(o.out, `${json}\n`);
  process.stderr.write(`\n${markdownTable(result)}\n\n`);
  process.stdout.write(`${json}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}
