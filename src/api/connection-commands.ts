import type { Client } from '@temporalio/client';
import type { WorkflowTarget } from '../config';
import type { Connection, ConnectionStore } from '../db/connections';
import { connectionWorkflow, type ConnectionWorkflowInput } from '../workflows/connection';
import { connectedSignal, connectionWorkflowId, disconnectSignal } from '../workflows/messages';

function start(connection: Connection, target: WorkflowTarget) {
  const input: ConnectionWorkflowInput = { connectionId: connection.id, userId: connection.userId };
  if (target.maxHistoryEvents !== undefined) input.maxHistoryEvents = target.maxHistoryEvents;
  return { workflowId: connectionWorkflowId(connection.id), taskQueue: target.taskQueue, args: [input] as [ConnectionWorkflowInput] };
}

/** Tells a connection's workflow it was (re)connected, starting the workflow if needed. */
export async function signalConnected(client: Client, target: WorkflowTarget, connection: Connection, reconnect: boolean): Promise<void> {
  await client.workflow.signalWithStart(connectionWorkflow, { ...start(connection, target), signal: connectedSignal, signalArgs: [{ reconnect }] });
}

/** Asks a connection's workflow to disconnect it (after removing our events when asked). */
export async function signalDisconnect(client: Client, target: WorkflowTarget, connection: Connection, removeEvents: boolean): Promise<void> {
  await client.workflow.signalWithStart(connectionWorkflow, { ...start(connection, target), signal: disconnectSignal, signalArgs: [{ removeEvents }] });
}

/**
 * Disconnects a connection: sync stops at once; its workflow then removes our events (when
 * asked), revokes the grant and erases the tokens.
 */
export async function disconnect(
  connections: ConnectionStore,
  client: Client,
  target: WorkflowTarget,
  connection: Connection,
  removeEvents: boolean,
): Promise<void> {
  if (removeEvents) await connections.markRemovingEvents(connection.id);
  else await connections.setSyncEnabled(connection.id, false);
  await signalDisconnect(client, target, connection, removeEvents);
}
