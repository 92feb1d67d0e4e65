/**
 * Every activity option the workflows use, in one place, and the proxies made from them.
 * Workflow code calls activities only through these.
 */
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
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
 * A booking's own database reads and writes: short and idempotent, so they run as local
 * activities in the worker that runs the workflow and cost no task round trip through the
 * server (the largest share of the engine's work per booking).
 */
export const LOCAL_ACTIVITY_OPTIONS: LocalActivityOptions = { startToCloseTimeout: '30 seconds', retry: RETRY_UNTIL_DONE };

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

/** The activities a workflow schedules on the task queue. */
export const activities = proxyActivities<Activities>(ACTIVITY_OPTIONS);

/** Busy-time reads, which heartbeat. */
export const busyReadActivities = proxyActivities<Pick<Activities, 'refreshBusyTimes'>>(BUSY_READ_OPTIONS);

/** The booking's database activities, run locally. */
export const bookingStoreActivities =
  proxyLocalActivities<Pick<Activities, 'prepareReconcile' | 'prepareFirstReconcile'>>(LOCAL_ACTIVITY_OPTIONS);

/** The notification outbox's database writes. */
export const notificationRecordActivities =
  proxyActivities<Pick<Activities, 'recordNotification' | 'markNotificationFailed'>>(NOTIFICATION_RECORD_OPTIONS);
