import type { Client } from '@temporalio/client';
import type { Connection } from '../db/connections';
import { connectionWorkflow } from '../workflows/connection';
import { connectedSignal, connectionWorkflowId } from '../workflows/messages';

/** Tells a connection's workflow it was (re)connected, starting the workflow if needed. */
export async function signalConnected(client: Client, taskQueue: string, connection: Connection, reconnect: boolean): Promise<void> {
  await client.workflow.signalWithStart(connectionWorkflow, {
    workflowId: connectionWorkflowId(connection.id),
    taskQueue,
    args: [{ connectionId: connection.id, userId: connection.userId }],
    signal: connectedSignal,
    signalArgs: [{ reconnect }],
  });
}
