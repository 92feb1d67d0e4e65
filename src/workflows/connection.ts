import { condition, continueAsNew, executeChild, ParentClosePolicy, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { bulkSyncWorkflow } from './bulk-sync';
import { bulkSyncWorkflowId, connectedSignal, disconnectSignal, type DisconnectRequest } from './messages';
import { removeConnectionEvents } from './remove-events';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

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
 * A disconnect (optionally removing our events first) ends it.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<void> {
  let runs = input.bulkSyncRuns ?? 0;
  let pending = input.bulkSyncPending ?? false;
  let disconnect: DisconnectRequest | undefined;
  setHandler(connectedSignal, () => {
    pending = true;
  });
  setHandler(disconnectSignal, (request) => {
    disconnect = request;
  });

  for (;;) {
    await condition(() => pending || disconnect !== undefined);
    if (disconnect) {
      // Removing events needs the tokens, so the connection is finalised (revoked, erased) after.
      if (disconnect.removeEvents) await removeConnectionEvents(input.connectionId);
      await acts.finalizeDisconnect({ connectionId: input.connectionId });
      return;
    }
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
