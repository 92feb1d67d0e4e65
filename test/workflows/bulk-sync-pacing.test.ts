import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { BulkSyncPage } from '../../src/activities';
import type { bulkSyncWorkflow, BulkSyncInput } from '../../src/workflows/bulk-sync';
import { bulkSyncWorkflowId } from '../../src/workflows/messages';
import { runWorkflowWorker, type ActivityStubs, type WorkflowTestEnv } from './support/workflow-worker';

const EventType = temporal.api.enums.v1.EventType;

/** One batch: the signals a workflow task sent together, and when. */
interface Batch {
  at: number;
  bookingIds: string[];
}

/** Pages of `bookingIds` after the given cursor, `pageSize` at a time, at `ratePerSecond`. */
function pagedBookings(bookingIds: string[], pageSize: number, ratePerSecond: number): ActivityStubs {
  return {
    bulkSyncPage: async (input): Promise<BulkSyncPage> => {
      const from = input.after === null ? 0 : bookingIds.indexOf(input.after) + 1;
      return { bookingIds: bookingIds.slice(from, from + Math.min(pageSize, input.limit)), active: true, ratePerSecond };
    },
    finishBulkSync: async () => ({ provider: null }),
  };
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const millis = (e: HistoryEvent | undefined): number =>
  Number(e?.eventTime?.seconds ?? 0) * 1_000 + Math.floor((e?.eventTime?.nanos ?? 0) / 1e6);

/**
 * The syncConnection signals every run of the workflow sent, grouped by the workflow task that
 * sent them, each group at the time that task started (the workflow's own clock then). The
 * bookings' workflows need not exist: a signal to a finished booking is a normal case the
 * workflow ignores.
 */
async function signalBatches(
  env: WorkflowTestEnv,
  started: WorkflowHandle<typeof bulkSyncWorkflow> & { firstExecutionRunId: string },
): Promise<Batch[][]> {
  const perRun: Batch[][] = [];
  for (const history of await runHistories(env, started)) {
    const events = new Map((history.events ?? []).map((e) => [String(e.eventId), e]));
    const batches = new Map<string, Batch>();
    for (const e of history.events ?? []) {
      const sent = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      if (e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED && sent) {
        const task = String(sent.workflowTaskCompletedEventId);
        const taskStarted = events.get(String(events.get(task)?.workflowTaskCompletedEventAttributes?.startedEventId));
        const batch = batches.get(task) ?? { at: millis(taskStarted), bookingIds: [] };
        batch.bookingIds.push(String(sent.workflowExecution?.workflowId).replace(/^booking:/, ''));
        batches.set(task, batch);
      }
    }
    perRun.push([...batches.values()]);
  }
  return perRun;
}

/** Every run's history, first to last, following continue-as-new. */
async function runHistories(
  env: WorkflowTestEnv,
  started: WorkflowHandle<typeof bulkSyncWorkflow> & { firstExecutionRunId: string },
): Promise<temporal.api.history.v1.IHistory[]> {
  const histories: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined = started.firstExecutionRunId;
  while (runId) {
    const history = await env.client.workflow.getHandle(started.workflowId, runId).fetchHistory();
    histories.push(history);
    runId =
      history.events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes)?.workflowExecutionContinuedAsNewEventAttributes
        ?.newExecutionRunId ?? undefined;
  }
  return histories;
}

/** The activities each run scheduled before its first signal. */
async function activitiesBeforeFirstSignal(
  env: WorkflowTestEnv,
  started: WorkflowHandle<typeof bulkSyncWorkflow> & { firstExecutionRunId: string },
): Promise<string[][]> {
  return (await runHistories(env, started)).map((history) => {
    const events = history.events ?? [];
    const firstSignal = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    return events
      .slice(0, firstSignal === -1 ? events.length : firstSignal)
      .flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  });
}

async function bulkSync(
  env: WorkflowTestEnv,
  input: Partial<BulkSyncInput> = {},
): Promise<{ handle: WorkflowHandle<typeof bulkSyncWorkflow> & { firstExecutionRunId: string }; result: { done: number } }> {
  const connectionId = env.id('conn');
  const handle = env.track(
    await env.client.workflow.start<typeof bulkSyncWorkflow>('bulkSyncWorkflow', {
      workflowId: bulkSyncWorkflowId(connectionId, 1),
      taskQueue: env.taskQueue,
      args: [{ connectionId, userId: 'user-1', ...input }],
    }),
  );
  return { handle, result: await handle.result() };
}

/** The workflow's time between batches. */
const INTERVAL_MS = 250;

/**
 * Batch k goes no earlier than k intervals after the first (a late timer is not made up for by a
 * burst), and the last within a second and a half of its due time (lateness does not add up).
 */
function expectOnSchedule(batches: Batch[]): void {
  const first = batches[0]!.at;
  // Millisecond rounding of event times.
  batches.forEach((b, k) => expect(b.at - first).toBeGreaterThanOrEqual(k * INTERVAL_MS - 2));
  expect(batches.at(-1)!.at - first).toBeLessThan((batches.length - 1) * INTERVAL_MS + 1_500);
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

describe('bulk sync workflow: pacing', () => {
  it('sends a fractional rate as alternating batches, four a second', async () => {
    const bookingIds = ids('frac', 10);
    // 10 a second: 2.5 a batch.
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 10), async (env) => {
      const { handle, result } = await bulkSync(env);
      expect(result).toEqual({ done: 10 });
      const [run, ...more] = await signalBatches(env, handle);
      expect(more).toEqual([]);
      expect(run!.map((b) => b.bookingIds.length)).toEqual([2, 3, 2, 3]);
      expect(run!.flatMap((b) => b.bookingIds)).toEqual(bookingIds);
      expectOnSchedule(run!);
      expect(env.callsOf('finishBulkSync').map((c) => c.input.done)).toEqual([10]);
    });
  });

  it('keeps the pace across pages (continue-as-new between them): no burst after a page', async () => {
    // Pages of 100 (the workflow's page size); 130 bookings at 40 a second, 10 a batch.
    const bookingIds = ids('page', 130);
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 40), async (env) => {
      const { handle, result } = await bulkSync(env);
      expect(result).toEqual({ done: 130 });
      const runs = await signalBatches(env, handle);
      expect(runs.map((r) => r.map((b) => b.bookingIds.length))).toEqual([Array(10).fill(10), [10, 10, 10]]);
      const all = runs.flat();
      expect(all.flatMap((b) => b.bookingIds)).toEqual(bookingIds);
      // The second page's first batch is due an interval after the first page's last one, not at once.
      expectOnSchedule(all);
      const pages = env.callsOf('bulkSyncPage').map((c) => [c.input.after, c.input.done]);
      expect(pages).toEqual([
        [null, 0],
        [bookingIds[99], 100],
      ]);
      // The first run reads its page, then the second one as its first batch goes out; the
      // second run starts sending without a read of its own.
      expect(await activitiesBeforeFirstSignal(env, handle)).toEqual([['bulkSyncPage', 'bulkSyncPage'], []]);
    });
  });

  it('finishes after a full last page without turning to an empty one', async () => {
    const bookingIds = ids('full', 100);
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 100), async (env) => {
      const { handle, result } = await bulkSync(env);
      expect(result).toEqual({ done: 100 });
      expect((await signalBatches(env, handle)).map((r) => r.map((b) => b.bookingIds.length))).toEqual([[25, 25, 25, 25]]);
      expect(env.callsOf('bulkSyncPage').map((c) => [c.input.after, c.input.done])).toEqual([
        [null, 0],
        [bookingIds[99], 100],
      ]);
      expect(env.callsOf('finishBulkSync').map((c) => c.input.done)).toEqual([100]);
    });
  });

  it('catches up at most two seconds of a schedule it fell behind (a restart), then keeps the pace', async () => {
    const bookingIds = ids('late', 28);
    // 8 a second: 2 a batch.
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 8), async (env) => {
      // Resumed with its next batch due ten seconds ago.
      const { handle, result } = await bulkSync(env, { dueAt: Date.now() - 10_000 });
      expect(result).toEqual({ done: 28 });
      const [run] = await signalBatches(env, handle);
      expect(run!.map((b) => b.bookingIds.length)).toEqual(Array(14).fill(2));
      const first = run![0]!.at;
      // Two seconds owed (eight batches) and the one due now go at once; the rest an interval apart from there.
      expect(run![8]!.at - first).toBeLessThan(1_000);
      [9, 10, 11, 12, 13].forEach((k) => expect(run![k]!.at - first).toBeGreaterThanOrEqual((k - 8) * INTERVAL_MS - 2));
    });
  });
});
