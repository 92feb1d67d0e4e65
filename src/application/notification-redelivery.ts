import type { NotificationRequeueStore } from '../db/notification-redelivery';
import type { NotificationStatus } from '../db/notifications';

export interface NotificationRedeliveryDeps {
  store: NotificationRequeueStore;
  /** Starts (or joins) the notification's delivery workflow. */
  deliver(id: string, retryForMs: number): Promise<void>;
  /** NOTIFY_URL is set: without it nothing is delivered, so nothing is redelivered either. */
  notifyConfigured: boolean;
  /** NOTIFY_RETRY_FOR: how long the new delivery keeps trying. */
  retryForMs: number;
}

export type RedeliveryResult =
  | { ok: true; value: { id: string; previousStatus: NotificationStatus } }
  | { ok: false; error: 'notification_not_found' | 'notifications_off' };

/**
 * Sends a stored notification to NOTIFY_URL again, failed or delivered: it becomes `pending` and
 * its delivery workflow runs anew with the deployment's retry window, exactly as a first delivery
 * (same id, so the receiver's idempotency key is unchanged). A pending one keeps its running delivery.
 */
export async function redeliverNotification(deps: NotificationRedeliveryDeps, id: string): Promise<RedeliveryResult> {
  if (!deps.notifyConfigured) return { ok: false, error: 'notifications_off' };
  const requeued = await deps.store.requeue(id);
  if (!requeued.found) return { ok: false, error: 'notification_not_found' };
  await deps.deliver(id, deps.retryForMs);
  return { ok: true, value: { id, previousStatus: requeued.previous } };
}
