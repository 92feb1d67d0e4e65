import type { Client } from '@temporalio/client';
import type { Connection, ConnectionStore } from '../db/connections';
import { connectionWorkflow } from '../workflows/connection';
import { connectedSignal, connectionWorkflowId, disconnectSignal } from '../workflows/messages';

function start(connection: Connection, taskQueue: string) {
  return {
    workflowId: connectionWorkflowId(connection.id),
    taskQueue,
    args: [{ connectionId: connection.id, userId: connection.userId }] as [{ connectionId: string; userId: string }],
  };
}

/** Tells a connection's workflow it was (re)connected, starting the workflow if needed. */
export async function signalConnected(client: Client, taskQueue: string, connection: Connection, reconnect: boolean): Promise<void> {
  await client.workflow.signalWithStart(connectionWorkflow, { ...start(connection, taskQueue), signal: connectedSignal, signalArgs: [{ reconnect }] });
}

/** Asks a connection's workflow to disconnect it (after removing our events when asked). */
export async function signalDisconnect(client: Client, taskQueue: string, connection: Connection, removeEvents: boolean): Promise<void> {
  await client.workflow.signalWithStart(connectionWorkflow, { ...start(connection, taskQueue), signal: disconnectSignal, signalArgs: [{ removeEvents }] });
}

/**
 * Disconnects a connection: sync stops at once; its workflow then removes our events (when
 * asked), revokes the grant and erases the tokens.
 */
export async function disconnect(
  connections: ConnectionStore,
  client: Client,
  taskQueue: string,
  connection: Connection,
  removeEvents: boolean,
): Promise<void> {
  if (removeEvents) await connections.markRemovingEvents(connection.id);
  else await connections.setSyncEnabled(connection.id, false);
  await signalDisconnect(client, taskQueue, connection, removeEvents);
}
