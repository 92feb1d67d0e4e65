import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sleep } from '../dev/child-processes';
import { findFreePort } from '../dev/ports';
import { sandboxServiceEnv } from '../support/service-env';
import { GoogleSandboxControl } from 'calendar-emulators/google';
import { MicrosoftSandboxControl } from 'calendar-emulators/microsoft';
import { ServiceApiClient } from '../support/service-api-client';
import { readCalendars } from './calendars';
import { driveBookings, type DriveProgress } from './driver';
import { SANDBOX_CLIENT, startChaosEnvironment } from './environment';
import { emulatorFaultRules } from './faults';
import { parseChaosOptions, type ChaosOptions } from './options';
import { connectParticipants } from './participants';
import { seededRandom } from './random';
import { planBookings, scenarioVariety } from './scenario';
import { ServiceProcess } from '../support/service-process';
import { SERVICE_PROCESS_ENV, WORKER_NODE_ARGS } from '../support/service-runtime';
import { failures, judge, type Verdict } from './verdict';

export interface ChaosReport {
  bookings: number;
  operations: number;
  faultsInjected: number;
  workerKills: number;
  serverRestarts: number;
  apiKills: number;
  dbDrops: number;
  /** Bookings left confirmed whose final version has another title than their first. */
  retitled: number;
  /** Bookings left confirmed whose final version has other participants than their first. */
  recast: number;
  lost: number;
  duplicates: number;
  wrong: number;
  stray: number;
  convergedSeconds: number | null;
}

const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);

type Disruption = 'worker' | 'server' | 'api' | 'db';

/** The disruptions of each kind, interleaved, to be spread evenly over the run. */
function disruptionPlan(o: ChaosOptions): Disruption[] {
  const left: Record<Disruption, number> = { worker: o.workerKills, server: o.serverRestarts, api: o.apiKills, db: o.dbDrops };
  const plan: Disruption[] = [];
  while (Object.values(left).some((n) => n > 0)) {
    for (const kind of Object.keys(left) as Disruption[]) {
      if (left[kind] > 0) {
        plan.push(kind);
        left[kind] -= 1;
      }
    }
  }
  return plan;
}

export async function runChaos(o: ChaosOptions): Promise<{ report: ChaosReport; verdict: Verdict }> {
  const runId = `c${o.seed}${randomBytes(2).toString('hex')}`;
  const random = seededRandom(o.seed);
  log(`starting: ${JSON.stringify(o)}`);
  const env = await startChaosEnvironment({ caldavUsers: o.usersPerProvider, faultRate: o.faultRate, seed: o.seed, log });
  const port = await findFreePort();
  const apiKey = `chaos_${randomBytes(24).toString('base64url')}`;
  const childEnv = sandboxServiceEnv({
    databaseUrl: env.database.url,
    temporalAddress: env.temporalAddress,
    taskQueue: `chaos-${runId}`,
    port,
    apiKey,
    sandboxClient: SANDBOX_CLIENT,
    googleUrl: env.google.url,
    microsoftUrl: env.microsoft.url,
    workflowBundlePath: env.workflowBundlePath,
  });
  // Each process as the image runs it, workers with Node's options as the compose file starts them.
  Object.assign(childEnv, SERVICE_PROCESS_ENV);
  const api = new ServiceProcess('api', childEnv, path.join(env.dir, 'api.log'));
  const workers = [0, 1].map(
    (i) => new ServiceProcess('worker', childEnv, path.join(env.dir, `worker-${i}.log`), undefined, { nodeArgs: WORKER_NODE_ARGS }),
  );
  try {
    await Promise.all([api.start(), ...workers.map((w) => w.start())]);
    const client = new ServiceApiClient(`http://127.0.0.1:${port}`, apiKey);
    const participants = await connectParticipants(client, env, o.usersPerProvider, runId);
    log(`connected ${participants.length} calendars; injecting faults at rate ${o.faultRate}`);
    const google = new GoogleSandboxControl(env.google.url);
    const microsoft = new MicrosoftSandboxControl(env.microsoft.url);
    for (const rule of emulatorFaultRules(o.faultRate, o.seed)) {
      await google.addFault(rule);
      await microsoft.addFault(rule);
    }

    const plans = planBookings(o.bookings, participants, random, runId);
    const total = plans.reduce((n, p) => n + p.deliveries.length, 0);
    const progress: DriveProgress = { operations: 0 };
    const disruptions = disruptionPlan(o);
    const done: Record<Disruption, number> = { worker: 0, server: 0, api: 0, db: 0 };
    // Each component restarts in the background (one restart at a time per component), so the
    // next disruption still comes on schedule.
    const chains = new Map<unknown, Promise<void>>();
    const inTurn = (component: unknown, action: () => Promise<void>) => {
      const next = (chains.get(component) ?? Promise.resolve()).then(action);
      chains.set(component, next);
      return next;
    };
    const disrupt = (what: Disruption) => {
      log(
        `${what === 'worker' ? 'SIGKILL a worker' : what === 'api' ? 'SIGKILL the API' : what === 'server' ? 'restart the Temporal server' : 'terminate every service database connection'} after ${progress.operations} deliveries`,
      );
      done[what] += 1;
      if (what === 'worker') {
        const w = workers[Math.floor(random() * workers.length)]!;
        void inTurn(w, () => w.restart());
      } else if (what === 'api') void inTurn(api, () => api.restart());
      else if (what === 'server') void inTurn(env, () => env.restartTemporal());
      else void inTurn('db', () => env.dropDatabaseConnections());
    };
    let driving = true;
    const disrupter = (async () => {
      for (let i = 0; i < disruptions.length; i++) {
        const at = Math.floor((total * (i + 1)) / (disruptions.length + 1));
        while (driving && progress.operations < at) await sleep(100);
        disrupt(disruptions[i]!);
      }
      await Promise.all(chains.values());
    })();
    const started = Date.now();
    await driveBookings(client, plans, o.concurrency, o.rate, progress);
    driving = false;
    await disrupter;
    const drivenAt = Date.now();
    log(`all ${progress.operations} deliveries acknowledged in ${((drivenAt - started) / 1000).toFixed(1)} s; waiting for the calendars`);

    let verdict: Verdict;
    let convergedSeconds: number | null = null;
    const deadline = drivenAt + o.convergeTimeoutSeconds * 1000;
    // A read that fails (a calendar server busy under the run's load) is not a verdict: try again.
    const look = async (): Promise<Verdict | undefined> => {
      try {
        return judge(plans, await readCalendars(env, participants));
      } catch (err) {
        log(`reading the calendars failed, trying again: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
        return undefined;
      }
    };
    verdict = { lost: plans.length, duplicates: 0, wrong: 0, stray: 0, examples: ['the calendars could not be read'] };
    for (;;) {
      verdict = (await look()) ?? verdict;
      if (failures(verdict) === 0) {
        convergedSeconds = Math.round((Date.now() - drivenAt) / 100) / 10;
        break;
      }
      if (Date.now() > deadline) break;
      await sleep(3_000);
    }
    // Converged: look once more a little later, so an event that arrives late is not missed.
    if (convergedSeconds !== null) {
      await sleep(5_000);
      verdict = (await look()) ?? verdict;
    }
    const stats = [await google.stats(), await microsoft.stats()];
    const report: ChaosReport = {
      bookings: o.bookings,
      operations: progress.operations,
      faultsInjected: stats.reduce((n, s) => n + s.faultsInjected, 0) + env.caldavProxy.faultsInjected(),
      workerKills: done.worker,
      serverRestarts: done.server,
      apiKills: done.api,
      dbDrops: done.db,
      ...scenarioVariety(plans),
      lost: verdict.lost,
      duplicates: verdict.duplicates,
      wrong: verdict.wrong,
      stray: verdict.stray,
      convergedSeconds,
    };
    return { report, verdict };
  } finally {
    await Promise.all([api.stop(), ...workers.map((w) => w.stop())]).catch(() => undefined);
    await env.close().catch(() => undefined);
  }
}

if (require.main === module) {
  runChaos(parseChaosOptions(process.argv.slice(2)))
    .then(({ report, verdict }) => {
      for (const e of verdict.examples) log(e);
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(failures(verdict) === 0 ? 0 : 1);
    })
    .catch((err: unknown) => {
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(2);
    });
}
