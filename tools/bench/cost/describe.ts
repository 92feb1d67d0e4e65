import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface WorkflowProgress {
  runId: string;
  historyLength: number;
  running: boolean;
  /** No activity and no workflow task in flight. */
  idle: boolean;
}

/**
 * The workflow's current run, read from the server as it is: `describe()` would decode the memo,
 * which the service's codec encrypts and the bench cannot read.
 */
export async function workflowProgress(client: Client, workflowId: string): Promise<WorkflowProgress> {
  const d = await client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId } });
  const info = d.workflowExecutionInfo;
  const running = info?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  return {
    runId: info?.execution?.runId ?? '',
    historyLength: Number(info?.historyLength ?? 0),
    running,
    idle: !running || ((d.pendingActivities ?? []).length === 0 && !d.pendingWorkflowTask),
  };
}
