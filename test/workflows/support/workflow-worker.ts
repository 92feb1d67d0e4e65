import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Activities } from '../../../src/activities';
import { FAILURE_CONVERTER_PATH } from '../../../src/temporal/data-converter';

export type ActivityName = keyof Activities;
export type ActivityInput<K extends ActivityName> = Parameters<Activities[K]>[0];
export type ActivityStubs = { [K in ActivityName]?: Activities[K] };

/** One activity invocation as the stubs saw it: when it began, in test-process time. */
export interface ActivityCall<K extends ActivityName = ActivityName> {
  name: K;
  input: ActivityInput<K>;
  at: number;
}

/**
 * Every activity the worker registers; `satisfies` keeps the list equal to the `Activities` type,
 * so a new activity the tests do not know fails typecheck here instead of hanging a workflow.
 */
const ACTIVITY_NAMES = {
  prepareReconcile: true,
  prepareFirstReconcile: true,
  bulkSyncPage: true,
  finishBulkSync: true,
  busyTimeSettings: true,
  refreshBusyTimes: true,
  markBusyReportsSent: true,
  upsertCalendarEvent: true,
  deleteCalendarEvent: true,
  sendInvitation: true,
  eventsToRemove: true,
  eventRemovalBlocked: true,
  finalizeDisconnect: true,
  recordNotification: true,
  deliverNotification: true,
  markNotificationFailed: true,
  openPushChannel: true,
  closePushChannels: true,
  refreshAccessToken: true,
  beginUserErasure: true,
  stopUserAccounts: true,
  userAccountsLeft: true,
  userBookingIds: true,
  eraseUserRows: true,
  deleteRetainedBatch: true,
} as const satisfies Record<ActivityName, true>;

/** Stubs every test gets unless it passes its own: no notification is configured, so none is delivered. */
const QUIET: ActivityStubs = {
  recordNotification: async () => ({ enabled: false, retryForMs: 0 }),
};

let runtimeInstalled = false;

/** The SDK's own logs at WARN and above only (worker state changes at INFO would drown the output). */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export interface WorkflowTestEnv {
  client: Client;
  taskQueue: string;
  /** Every activity call so far, in the order they began. */
  calls: ActivityCall[];
  callsOf<K extends ActivityName>(name: K): Array<ActivityCall<K>>;
  /** A unique id for this run's workflows and entities. */
  id(prefix: string): string;
  /** Remembers a workflow id so that the run ends with it terminated if still open. */
  track<H extends WorkflowHandle>(handle: H): H;
}

/**
 * Runs `body` with a worker on a fresh task queue of the shared dev server, hosting the real
 * workflow bundle with `stubs` as activities (plain functions in this process, so a test can
 * script results, block a call and see every input). An activity without a stub fails
 * non-retryably and fails the test. Workflows left open are terminated at the end.
 */
export async function runWorkflowWorker<T>(stubs: ActivityStubs, body: (env: WorkflowTestEnv) => Promise<T>): Promise<T> {
  installQuietRuntime();
  const address = inject('temporalAddress');
  const dataConverter = { failureConverterPath: FAILURE_CONVERTER_PATH };
  const taskQueue = `wf-test-${randomUUID()}`;
  const calls: ActivityCall[] = [];
  const unstubbed: string[] = [];
  const given: ActivityStubs = { ...QUIET, ...stubs };
  const activities: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(ACTIVITY_NAMES) as ActivityName[]) {
    const stub = given[name] as ((input: unknown) => Promise<unknown>) | undefined;
    activities[name] = async (input: unknown) => {
      calls.push({ name, input, at: Date.now() } as ActivityCall);
      if (stub) return stub(input);
      unstubbed.push(name);
      throw ApplicationFailure.nonRetryable(`no stub for activity ${name}`, 'UnstubbedActivity');
    };
  }

  const tracked = new Set<string>();
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities,
      dataConverter,
      shutdownGraceTime: '1 second',
    });
    const env: WorkflowTestEnv = {
      client,
      taskQueue,
      calls,
      callsOf: <K extends ActivityName>(name: K) => calls.filter((c): c is ActivityCall<K> => c.name === name),
      id: (prefix) => `${prefix}-${randomUUID()}`,
      track: (handle) => {
        tracked.add(handle.workflowId);
        return handle;
      },
    };
    try {
      const result = await worker.runUntil(body(env));
      if (unstubbed.length > 0) throw new Error(`workflows called activities the test did not stub: ${[...new Set(unstubbed)].join(', ')}`);
      return result;
    } finally {
      await Promise.all([...tracked].map((id) => terminateIfOpen(client, id)));
    }
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

async function terminateIfOpen(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('workflow test over');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** A switch an activity stub waits on, so the test decides when the call returns. */
export class Gate {
  private release!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));

  open(): void {
    this.release();
  }

  /** Inside an activity: waits for `open()`, or ends with the activity's cancellation (worker shutdown). */
  async pass(): Promise<void> {
    await Promise.race([this.opened, Context.current().cancelled]);
  }
}
