import { activityMetrics } from './metrics/activity-metrics';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { WORKER_TUNING } from './worker-tuning';
import { TRACING_OFF, tracedBundlePath, workflowInterceptorModules, type Tracing } from './telemetry/tracing';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Encrypts payloads and failures (src/temporal/data-converter.ts); bundles must include its failure converter. */
  dataConverter: DataConverter;
  /**
   * A pre-built bundle (tests build it once per run); otherwise bundled from source at start. A
   * bundle given by path is the plain one: with tracing on, its traced variant beside it is loaded
   * (`tracedBundlePath`, written with it by `writeWorkflowBundles`).
   */
  workflowBundle?: WorkflowBundleOption;
  /** On shutdown, how long running activities may finish before they are cancelled. */
  shutdownGraceTimeMs?: number;
  /** Workflows kept in memory between tasks (0: every task replays from history); WORKER_TUNING's 500 when unset. */
  maxCachedWorkflows?: number | undefined;
  /** Activity spans and the sink for workflow spans (src/telemetry/tracing.ts); none: nothing traced. */
  tracing?: Pick<Tracing, 'enabled' | 'activityInterceptors' | 'sinks'>;
}

/** The workflows folder; the bundler resolves its index (TypeScript in dev, JavaScript when built). */
export const WORKFLOWS_PATH = path.join(__dirname, 'workflows');

/** A worker hosting the booking workflows and every activity, bound to this process's deps. */
export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  const tracing = opts.tracing ?? TRACING_OFF;
  const traced = tracing.enabled;
  const bundle =
    opts.workflowBundle && traced && 'codePath' in opts.workflowBundle
      ? { codePath: tracedBundlePath(opts.workflowBundle.codePath) }
      : opts.workflowBundle;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    // The workflow interceptors when bundling here; a prebuilt bundle has them built in or not (its traced variant).
    interceptors: { activity: [activityMetrics, ...tracing.activityInterceptors], workflowModules: workflowInterceptorModules(traced) },
    // Always registered: a traced bundle's workflow interceptors call it (a no-op when tracing is off).
    sinks: { ...tracing.sinks },
    dataConverter: opts.dataConverter,
    ...WORKER_TUNING,
    ...(opts.shutdownGraceTimeMs === undefined ? {} : { shutdownGraceTime: opts.shutdownGraceTimeMs }),
    ...(opts.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: opts.maxCachedWorkflows }),
  });
}
