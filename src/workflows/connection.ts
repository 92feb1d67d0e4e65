import { condition, continueAsNew, executeChild, ParentClosePolicy, setHandler, workflowInfo } from '@temporalio/workflow';
import { bulkSyncWorkflow } from './bulk-sync';
import { bulkSyncWorkflowId, connectedSignal } from './messages';

export interface ConnectionWorkflowInput {
  connectionId: string;
  userId: string;
  /** Bulk syncs started so far (carried across continue-as-new, names the next child). */
  bulkSyncRuns?: number;
  /** A (re)connect arrived that no bulk sync has handled yet. */
  bulkSyncPending?: boolean;
}

const MAX_HISTORY_EVENTS = 1_000;

/**
 * One per connected calendar (`connection:<connectionId>`), long-lived. On every connect or
 * reconnect it runs a bulk sync as a child; a reconnect during a bulk sync queues one more run,
 * which also re-drives the bookings left pending while the connection needed re-authentication.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<void> {
  let runs = input.bulkSyncRuns ?? 0;
  let pending = input.bulkSyncPending ?? false;
  setHandler(connectedSignal, () => {
    pending = true;
  });

  for (;;) {
    await condition(() => pending);
    pending = false;
    runs += 1;
    await executeChild(bulkSyncWorkflow, {
      workflowId: bulkSyncWorkflowId(input.connectionId, runs),
      args: [{ connectionId: input.connectionId, userId: input.userId }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    if (!pending && workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      await continueAsNew<typeof connectionWorkflow>({ ...input, bulkSyncRuns: runs, bulkSyncPending: false });
    }
  }
}
