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
  let runId: string | undefined = started.firstExecutionRunId;
  while (runId) {
    const history = await env.client.workflow.getHandle(started.workflowId, runId).fetchHistory();
    const events = new Map((history.events ?? []).map((e) => [String(e.eventId), e]));
    const batches = new Map<string, Batch>();
    let next: string | undefined;
    for (const e of history.events ?? []) {
      const sent = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      if (e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED && sent) {
        const task = String(sent.workflowTaskCompletedEventId);
        const taskStarted = events.get(String(events.get(task)?.workflowTaskCompletedEventAttributes?.startedEventId));
        const batch = batches.get(task) ?? { at: millis(taskStarted), bookingIds: [] };
        batch.bookingIds.push(String(sent.workflowExecution?.workflowId).replace(/^booking:/, ''));
        batches.set(task, batch);
      }
      const continued = e.workflowExecutionContinuedAsNewEventAttributes;
      if (continued?.newExecutionRunId) next = continued.newExecutionRunId;
    }
    perRun.push([...batches.values()]);
    runId = next;
  }
  return perRun;
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

/**
 * Batch k goes no earlier than k seconds after the first (a late timer is not made up for by a
 * burst), and the last within a second and a half of its due time (lateness does not add up).
 */
function expectOnSchedule(batches: Batch[]): void {
  const first = batches[0]!.at;
  // Millisecond rounding of event times.
  batches.forEach((b, k) => expect(b.at - first).toBeGreaterThanOrEqual(k * 1_000 - 2));
  expect(batches.at(-1)!.at - first).toBeLessThan((batches.length - 1) * 1_000 + 1_500);
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

describe('bulk sync workflow: pacing', () => {
  it('sends a fractional rate as alternating batches, one a second', async () => {
    const bookingIds = ids('frac', 10);
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 2.5), async (env) => {
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
    // Pages of 100 (the workflow's page size); 130 bookings at 40 a second: 40, 40, 20 | 30.
    const bookingIds = ids('page', 130);
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 40), async (env) => {
      const { handle, result } = await bulkSync(env);
      expect(result).toEqual({ done: 130 });
      const runs = await signalBatches(env, handle);
      expect(runs.map((r) => r.map((b) => b.bookingIds.length))).toEqual([[40, 40, 20], [30]]);
      const all = runs.flat();
      expect(all.flatMap((b) => b.bookingIds)).toEqual(bookingIds);
      // The second page's batch is due a second after the first page's last one, not at once.
      expectOnSchedule(all);
      const pages = env.callsOf('bulkSyncPage').map((c) => [c.input.after, c.input.done]);
      expect(pages).toEqual([
        [null, 0],
        [bookingIds[99], 100],
      ]);
    });
  });

  it('catches up at most two seconds of a schedule it fell behind (a restart), then keeps the pace', async () => {
    const bookingIds = ids('late', 12);
    await runWorkflowWorker(pagedBookings(bookingIds, 100, 2), async (env) => {
      // Resumed with its next batch due ten seconds ago.
      const { handle, result } = await bulkSync(env, { dueAt: Date.now() - 10_000 });
      expect(result).toEqual({ done: 12 });
      const [run] = await signalBatches(env, handle);
      expect(run!.map((b) => b.bookingIds.length)).toEqual([2, 2, 2, 2, 2, 2]);
      const first = run![0]!.at;
      // Two seconds owed go at once; the rest one a second from there.
      expect(run![2]!.at - first).toBeLessThan(1_000);
      [3, 4, 5].forEach((k) => expect(run![k]!.at - first).toBeGreaterThanOrEqual((k - 2) * 1_000 - 2));
    });
  });
});
