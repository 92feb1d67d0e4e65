import type { WorkflowHandle } from '@temporalio/client';
import type { connectionWorkflow, CalendarAccountWorkflowInput } from '../../../src/workflows/calendar-account';
import { calendarAccountWorkflowId } from '../../../src/workflows/messages';
import type { ActivityStubs, WorkflowTestEnv } from './workflow-worker';

export type ConnectionHandle = WorkflowHandle<typeof connectionWorkflow>;

/** An hour: no busy-time poll fires within a test. */
const POLL_INTERVAL_MS = 3_600_000;

/**
 * A quiet connection: busy reads find nothing, push is off, tokens are fine. Tests override
 * the part they look at.
 */
export function connectionStubs(overrides: ActivityStubs = {}): ActivityStubs {
  return {
    busyTimeSettings: async () => ({ pollIntervalMs: POLL_INTERVAL_MS, externalEditPolicy: 'respect' }),
    refreshBusyTimes: async () => ({ mode: 'full', cursorExpired: false, items: 0, edits: [], conflicts: [] }),
    openPushChannel: async () => ({ opened: false }),
    closePushChannels: async () => ({ closed: 0 }),
    eventsToRemove: async () => [],
    eventRemovalBlocked: async () => ({}),
    finalizeDisconnect: async () => undefined,
    ...overrides,
  };
}

/** Starts a connection's workflow as the API does before the first signal; no bulk sync is pending. */
export async function startConnection(env: WorkflowTestEnv, input: Partial<CalendarAccountWorkflowInput> = {}): Promise<ConnectionHandle> {
  const connectionId = input.connectionId ?? env.id('conn');
  const handle = await env.client.workflow.start<typeof connectionWorkflow>('connectionWorkflow', {
    workflowId: calendarAccountWorkflowId(connectionId),
    taskQueue: env.taskQueue,
    args: [{ connectionId, userId: 'user-1', ...input }],
  });
  return env.track(handle);
}
