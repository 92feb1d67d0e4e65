import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { WorkflowTarget } from '../config';
import { notificationWorkflowId } from '../workflows/messages';
import { notificationWorkflow } from '../workflows/notification';

/** Starts a stored notification's delivery workflow, as the workflow that emitted it did. */
export class NotificationDelivery {
  constructor(
    private readonly client: Client,
    private readonly target: Pick<WorkflowTarget, 'taskQueue'>,
  ) {}

  /**
   * The same workflow id as the first delivery (`notification:<id>`): a delivery still running
   * is joined rather than doubled, a finished one is started again.
   */
  async start(id: string, retryForMs: number): Promise<void> {
    await this.client.workflow.start(notificationWorkflow, {
      workflowId: notificationWorkflowId(id),
      taskQueue: this.target.taskQueue,
      args: [{ id, retryForMs }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  }
}
