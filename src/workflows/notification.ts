import { type ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ActivityFailure, proxyActivities, startChild, ParentClosePolicy, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccountErrorDetails } from '../domain/failures';
import type { NotificationData } from '../domain/notification-events';
import type { NotificationType } from '../domain/notifications';
import { notificationDeliveryOptions, notificationRecordActivities } from './activity-options';
import { notificationWorkflowId } from './messages';

export interface NotificationWorkflowInput {
  id: string;
  /** How long to keep trying (NOTIFY_RETRY_FOR; 3 days by default). */
  retryForMs: number;
}

/**
 * Delivers one event to the booking system, retrying with backoff (capped at an hour) for as
 * long as `retryForMs`; then it is marked failed and listed by GET /v1/notifications.
 */
export async function notificationWorkflow(input: NotificationWorkflowInput): Promise<void> {
  const delivery = proxyActivities<Pick<Activities, 'deliverNotification'>>(notificationDeliveryOptions(input.retryForMs));
  try {
    await delivery.deliverNotification({ id: input.id });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await notificationRecordActivities.markNotificationFailed({ id: input.id });
  }
}

/**
 * Records an event and starts its delivery as an independent workflow (it outlives the caller).
 * The id comes from the workflow's deterministic uuid4, so a replay or retry records it once;
 * an event that several runs may see (an edit, a conflict) brings its own stable id instead,
 * and the second sighting finds it recorded and its delivery already started.
 */
export async function emitNotification<T extends NotificationType>(type: T, data: NotificationData[T], stableId?: string): Promise<void> {
  const id = stableId ?? uuid4();
  const { enabled, retryForMs } = await notificationRecordActivities.recordNotification({ id, type, data });
  if (!enabled) return;
  try {
    await startChild(notificationWorkflow, {
      workflowId: notificationWorkflowId(id),
      args: [{ id, retryForMs }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    // Already started: by an earlier sighting of a stable id, or by a redelivery asked for the
    // moment it was recorded (POST /v1/notifications/:id/redeliver); either run delivers it.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * `connection.error`, once per episode: only the failure that put the account in `error` carries
 * the notice's id (derived from the episode, so whichever workflow reports it, it is sent once).
 */
export async function reportAccountError(userId: string, connectionId: string, failure: ApplicationFailure): Promise<void> {
  const details = failure.details?.[0] as AccountErrorDetails | undefined;
  if (!details?.notificationId) return;
  await emitNotification(
    'connection.error',
    { userId, connectionId, reason: details.kind, message: failure.message },
    details.notificationId,
  );
}
