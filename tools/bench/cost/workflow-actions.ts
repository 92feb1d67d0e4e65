import type { Client } from '@temporalio/client';
import { workflowProgress } from './describe';
import { billableActions, totalActions, type BillableActions } from './billable-actions';

/** Where a workflow's history stood: its current run and last event. */
export interface HistoryPosition {
  runId: string;
  lastEventId: number;
}

/** The workflow's current run and history length; undefined when it does not exist yet. */
export async function historyPosition(client: Client, workflowId: string): Promise<HistoryPosition | undefined> {
  try {
    const d = await workflowProgress(client, workflowId);
    return { runId: d.runId, lastEventId: d.historyLength };
  } catch (err) {
    if (err instanceof Error && /not found/i.test(err.message)) return undefined;
    throw err;
  }
}

const add = (a: BillableActions, b: BillableActions): BillableActions => {
  const out = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
};

/**
 * The Actions a workflow's history gained since `from` (all of it when it did not exist): when
 * it continued as new meanwhile, the rest of the old run and the whole of the current one.
 */
export async function actionsSince(
  client: Client,
  workflowId: string,
  from: HistoryPosition | undefined,
): Promise<{ total: number; byKind: BillableActions }> {
  const currentRun = (await workflowProgress(client, workflowId)).runId;
  const current = await client.workflow.getHandle(workflowId, currentRun).fetchHistory();
  let byKind: BillableActions;
  if (!from) byKind = billableActions(current.events ?? []);
  else if (from.runId === currentRun) byKind = billableActions(current.events ?? [], from.lastEventId);
  else {
    const old = await client.workflow.getHandle(workflowId, from.runId).fetchHistory();
    byKind = add(billableActions(old.events ?? [], from.lastEventId), billableActions(current.events ?? []));
  }
  return { total: totalActions(byKind), byKind };
}
