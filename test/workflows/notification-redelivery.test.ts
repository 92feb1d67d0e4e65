import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { Notifications } from '../../src/application/notifications';
import type { NotificationRecord, NotificationStatus, NotificationStore } from '../../src/db/notifications';
import { WorkflowGateway } from '../../src/temporal/workflow-gateway';
import { notificationWorkflow } from '../../src/workflows/notification';
import { notificationWorkflowId } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { Gate, runWorkflowWorker } from './support/workflow-worker';

/** The notification's row as the activities and the redelivery see it. */
class OneNotification {
  status: NotificationStatus = 'pending';
  constructor(readonly id: string) {}

  record(): NotificationRecord {
    return { id: this.id, type: 'booking.sync_failed', data: {}, status: this.status, attempts: 1 } as unknown as NotificationRecord;
  }

  /** What `PgNotificationStore.reopen` does to one row. */
  store(): NotificationStore {
    return {
      reopen: (id: string) => {
        if (id !== this.id) return Promise.resolve(undefined);
        const reopened = this.status !== 'pending';
        this.status = 'pending';
        return Promise.resolve({ record: this.record(), reopened });
      },
    } as unknown as NotificationStore;
  }
}

describe('notification workflow: redelivery', () => {
  it('a redelivery asked while the failed run is still closing is sent, not left pending', async () => {
    const row = new OneNotification('5d0b1c1e-0000-4000-8000-000000000001');
    let refusing = true;
    const sent: NotificationStatus[] = [];
    const closing = new Gate();
    let markedFailed!: () => void;
    const failedMarked = new Promise<void>((resolve) => (markedFailed = resolve));
    const stubs = {
      deliverNotification: async () => {
        if (row.status !== 'pending') return;
        if (refusing) throw ApplicationFailure.nonRetryable('receiver answered 500', 'NotifyRefused');
        sent.push(row.status);
        row.status = 'delivered';
      },
      // The run has marked it failed and has yet to close when the redelivery comes.
      markNotificationFailed: async () => {
        if (row.status === 'pending') row.status = 'failed';
        markedFailed();
        await closing.pass();
      },
    };
    await runWorkflowWorker(stubs, async (env) => {
      const workflowId = notificationWorkflowId(row.id);
      env.track(
        await env.client.workflow.start(notificationWorkflow, {
          workflowId,
          taskQueue: env.taskQueue,
          args: [{ id: row.id, retryForMs: 60_000 }],
        }),
      );
      await failedMarked;
      expect(row.status).toBe('failed');

      refusing = false;
      const gateway = new WorkflowGateway(env.client, { taskQueue: env.taskQueue, maxHistoryEvents: 10_000 });
      const service = new Notifications({
        store: row.store(),
        workflows: gateway,
        notifyUrl: 'https://booking.example/notify',
        retryForMs: 60_000,
      });
      expect(await service.redeliver(row.id)).toMatchObject({ ok: true, value: { id: row.id, status: 'pending' } });
      closing.open();

      await eventually(async () => (row.status === 'delivered' ? true : undefined), 'the redelivery sent', 20_000);
      expect(sent).toEqual(['pending']);
      env.track(env.client.workflow.getHandle(workflowId));
    });
  });
});
