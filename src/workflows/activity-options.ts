/**
 * Every activity option the workflows use, in one place, and the proxies made from them.
 * Workflow code calls activities only through these.
 */
import { proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Retries for as long as it takes (hours-long provider outages included), with capped
 * exponential backoff; a provider's Retry-After overrides the next delay.
 */
export const RETRY_UNTIL_DONE: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' };

/** Provider calls and the service's own bookkeeping, scheduled on the task queue. */
export const ACTIVITY_OPTIONS: ActivityOptions = { startToCloseTimeout: '1 minute', retry: RETRY_UNTIL_DONE };

/**
 * Reading a calendar's busy times pages through the whole calendar: longer than one call, so it
 * heartbeats per page and is retried when a minute passes without one (a hung read, a dead worker).
 */
export const BUSY_READ_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: RETRY_UNTIL_DONE,
};

/**
 * A booking's own database reads and writes: short and idempotent. Regular activities, not local
 * ones: a local activity that outlives its workflow task lets calendar writes that finish meanwhile
 * reach the workflow before its result, and a replay delivers them in the other order, so the
 * workflow plans differently and fails with a nondeterminism error
 * (test/workflows/slow-database-read-replay.test.ts).
 */
export const BOOKING_STORE_OPTIONS: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE };

/** Recording a notification, or that its delivery failed for good: database writes only. */
export const NOTIFICATION_RECORD_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Delivering a notification to the booking system: retried (backoff capped at an hour) for `retryForMs` in all. */
export function notificationDeliveryOptions(retryForMs: number): ActivityOptions {
  return {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: retryForMs,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
  };
}

/**
 * Provider calls of a disconnect (removing our events, closing push channels): retried as any
 * call, but not for ever, since a disconnect must finish even when the calendar stopped answering.
 */
export const DISCONNECT_CALL_OPTIONS: ActivityOptions = { ...ACTIVITY_OPTIONS, scheduleToCloseTimeout: '2 minutes' };

/** The activities a workflow schedules on the task queue. */
export const activities = proxyActivities<Activities>(ACTIVITY_OPTIONS);

/** Busy-time reads, which heartbeat. */
export const busyReadActivities = proxyActivities<Pick<Activities, 'refreshBusyTimes'>>(BUSY_READ_OPTIONS);

/** A disconnect's provider calls, and the token refreshes they need, bounded in time. */
export const disconnectCallActivities =
  proxyActivities<Pick<Activities, 'deleteCalendarEvent' | 'closePushChannels' | 'refreshAccessToken'>>(DISCONNECT_CALL_OPTIONS);

/** The booking's database activities. */
export const bookingStoreActivities =
  proxyActivities<Pick<Activities, 'prepareReconcile' | 'prepareFirstReconcile'>>(BOOKING_STORE_OPTIONS);

/** The notification outbox's database writes. */
export const notificationRecordActivities =
  proxyActivities<Pick<Activities, 'recordNotification' | 'markNotificationFailed'>>(NOTIFICATION_RECORD_OPTIONS);
