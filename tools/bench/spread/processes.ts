import path from 'node:path';
import { findFreePort } from '../../dev/ports';
import { ServiceApiClient } from '../../support/service-api-client';
import { ServiceProcess } from '../../support/service-process';
import type { BenchEnvironment } from '../environment';

/** One API process as the driver and the bench see it. */
export interface ApiEndpoint {
  name: string;
  api: ServiceApiClient;
  metricsUrl: string;
}

/** One worker process as the bench sees it. */
export interface WorkerEndpoint {
  name: string;
  metricsUrl: string;
}

/** The environment's processes and the ones started beside them, all on one database and task queue. */
export interface Deployment {
  apis: ApiEndpoint[];
  workers: WorkerEndpoint[];
  /** Stops the processes this started (the environment's own keep running). */
  stop(): Promise<void>;
}

/**
 * Starts API and worker processes with the environment's own settings (same database, Temporal
 * namespace, task queue, keys and sandbox) until there are `apis` and `workers` of each, as a
 * deployment scaled out over more machines would run.
 */
export async function scaleOut(env: BenchEnvironment, want: { apis: number; workers: number }): Promise<Deployment> {
  const apiKey = env.serviceEnv.API_KEYS!;
  const apis: ApiEndpoint[] = [{ name: 'api-0', api: env.api, metricsUrl: env.metricsUrls.api }];
  const workers: WorkerEndpoint[] = env.metricsUrls.workers.map((metricsUrl, i) => ({ name: `worker-${i}`, metricsUrl }));
  const started: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
  };
  try {
    const starting: Array<Promise<void>> = [];
    for (let i = apis.length; i < want.apis; i++) {
      const port = await findFreePort();
      // PUBLIC_BASE_URL stays the first API's: behind a load balancer every API has the same public address.
      const p = env.serviceProcess('api', { ...env.serviceEnv, PORT: String(port) }, path.join(env.dir, `spread-api-${i}.log`));
      started.push(p);
      starting.push(p.start());
      const origin = `http://127.0.0.1:${port}`;
      apis.push({ name: `api-${i}`, api: new ServiceApiClient(origin, apiKey), metricsUrl: `${origin}/metrics` });
    }
    for (let i = workers.length; i < want.workers; i++) {
      const metricsPort = await findFreePort();
      const p = env.serviceProcess(
        'worker',
        { ...env.serviceEnv, METRICS_PORT: String(metricsPort) },
        path.join(env.dir, `spread-worker-${i}.log`),
      );
      started.push(p);
      starting.push(p.start());
      workers.push({ name: `worker-${i}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
    }
    // allSettled: a failed start must not leave the others running unstopped.
    const outcomes = await Promise.allSettled(starting);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return { apis, workers, stop };
}
