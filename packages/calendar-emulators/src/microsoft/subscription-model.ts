import type { StoredEvent } from './event-model';
import { formatUtcTimestamp } from './time-zones';
import type {
  GraphChangeType,
  GraphSubscription,
  MicrosoftSubscriptionDeliveries,
  MicrosoftSubscriptionStatus,
  MicrosoftSubscriptionView,
} from './types';

// A change-notification subscription as the sandbox keeps it, and how Graph and the
// control API show it. Subscriptions belong to an app (client id) and a mailbox; only
// active ones (not deleted, not removed, not past their expiration) are visible through
// Graph and send notifications.

export const SUBSCRIPTION_METADATA = 'https://graph.microsoft.com/v1.0/$metadata#subscriptions';

/** Which events a subscription watches: every calendar of the mailbox (`/me/events`) or one. */
export type SubscriptionTarget = { kind: 'mailbox' } | { kind: 'calendar'; calendarId: string };

export interface SubscriptionRecord {
  id: string;
  /** The mailbox's account (normalized e-mail) and Graph user id. */
  email: string;
  userId: string;
  /** The app that created it: its applicationId. */
  clientId: string;
  /** As the app gave it. */
  resource: string;
  target: SubscriptionTarget;
  /** As the app gave it (`created,updated`). */
  changeType: string;
  changeTypes: ReadonlySet<GraphChangeType>;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  includeResourceData: boolean | null;
  latestSupportedTlsVersion: string;
  createdMs: number;
  expiresMs: number;
  /** Set when the app deleted it or Graph (the control API) removed it. */
  ended?: 'deleted' | 'removed';
  reauthorizationRequired: boolean;
  notificationsPaused: boolean;
  deliveries: MicrosoftSubscriptionDeliveries;
}

export function newDeliveries(): MicrosoftSubscriptionDeliveries {
  return {
    notificationsQueued: 0,
    notificationsDelivered: 0,
    notificationsFailed: 0,
    notificationsDropped: 0,
    deliveryAttempts: 0,
    lifecycleNotificationsQueued: 0,
    lifecycleNotificationsDelivered: 0,
    lifecycleNotificationsFailed: 0,
    pending: 0,
  };
}

export function subscriptionStatus(record: SubscriptionRecord, now: number): MicrosoftSubscriptionStatus {
  if (record.ended) return record.ended;
  return record.expiresMs > now ? 'active' : 'expired';
}

export function isActive(record: SubscriptionRecord, now: number): boolean {
  return subscriptionStatus(record, now) === 'active';
}

/** Whether a change to `event` concerns the subscription's resource. */
export function watches(record: SubscriptionRecord, event: StoredEvent): boolean {
  return record.target.kind === 'mailbox' || record.target.calendarId === event.calendarId;
}

export function toGraphSubscription(record: SubscriptionRecord): GraphSubscription {
  return {
    id: record.id,
    resource: record.resource,
    applicationId: record.clientId,
    changeType: record.changeType,
    clientState: record.clientState,
    notificationUrl: record.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: record.lifecycleNotificationUrl,
    expirationDateTime: formatUtcTimestamp(record.expiresMs),
    creatorId: record.userId,
    includeResourceData: record.includeResourceData,
    latestSupportedTlsVersion: record.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

export function toSubscriptionView(record: SubscriptionRecord, now: number): MicrosoftSubscriptionView {
  return {
    id: record.id,
    account: record.email,
    clientId: record.clientId,
    resource: record.resource,
    changeType: record.changeType,
    notificationUrl: record.notificationUrl,
    lifecycleNotificationUrl: record.lifecycleNotificationUrl,
    clientState: record.clientState,
    expirationDateTime: formatUtcTimestamp(record.expiresMs),
    status: subscriptionStatus(record, now),
    reauthorizationRequired: record.reauthorizationRequired,
    notificationsPaused: record.notificationsPaused,
    deliveries: { ...record.deliveries },
  };
}
