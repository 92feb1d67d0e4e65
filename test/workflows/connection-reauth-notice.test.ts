import { temporal } from '@temporalio/proto';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType } from '../../src/domain/failures';
import { connectedSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { connectionStubs } from './support/connection-fixtures';
import { Gate, runWorkflowWorker } from './support/workflow-worker';
import type { connectionWorkflow } from '../../src/workflows/calendar-account';
import { calendarAccountWorkflowId } from '../../src/workflows/messages';

const EventType = temporal.api.enums.v1.EventType;

describe('connection workflow: the re-authentication notice and continue-as-new', () => {
  it('a bulk sync ending while the notice is being recorded does not cut its delivery off', async () => {
    const recording = new Gate();
    let recordStarted!: () => void;
    const recordBegan = new Promise<void>((resolve) => (recordStarted = resolve));
    const delivered: string[] = [];
    const stubs = connectionStubs({
      refreshBusyTimes: () => Promise.reject(ApplicationFailure.nonRetryable('token revoked', FailureType.ReauthRequired)),
      recordNotification: async (input) => {
        if (input.type !== 'connection.needs_reauth') return { enabled: false, retryForMs: 0 };
        recordStarted();
        await recording.pass();
        return { enabled: true, retryForMs: 60_000 };
      },
      deliverNotification: async (input) => void delivered.push(input.id),
      // The bulk sync runs and ends while the notice is being recorded.
      bulkSyncPage: async () => (await recordBegan, { active: true, bookingIds: [], ratePerSecond: 10 }),
      finishBulkSync: async () => ({ provider: null }),
    });
    await runWorkflowWorker(stubs, async (env) => {
      const connectionId = env.id('conn');
      // A history limit already passed: the run continues as new as soon as nothing holds it.
      const handle = env.track(
        await env.client.workflow.signalWithStart<typeof connectionWorkflow, [{ reconnect: boolean }]>('connectionWorkflow', {
          workflowId: calendarAccountWorkflowId(connectionId),
          taskQueue: env.taskQueue,
          args: [{ connectionId, userId: 'user-1', maxHistoryEvents: 1 }],
          signal: connectedSignal,
          signalArgs: [{ reconnect: false }],
        }),
      );
      const firstRun = env.client.workflow.getHandle(handle.workflowId, handle.signaledRunId);
      // The run has handled the bulk sync's end (and decided whether to continue as new).
      await eventually(async () => {
        const types = ((await firstRun.fetchHistory()).events ?? []).map((e) => e.eventType);
        const ended = types.indexOf(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED);
        return ended >= 0 && types.slice(ended).includes(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ? true : undefined;
      }, 'the bulk sync to end');
      recording.open();

      const notice = env.callsOf('recordNotification').find((c) => c.input.type === 'connection.needs_reauth');
      const noticeId = notice?.input.id ?? '';
      await eventually(async () => (delivered.includes(noticeId) ? true : undefined), 'the notice delivered', 20_000);
      expect(env.callsOf('recordNotification').filter((c) => c.input.type === 'connection.needs_reauth')).toHaveLength(1);
    });
  });
});
