import { etagOf, type EventChange } from './event-model';
import { SANDBOX_TENANT_ID } from './ids';
import type { Account, MicrosoftSandboxState } from './state';
import { isActive, watches, type SubscriptionRecord } from './subscription-model';
import { formatUtcTimestamp } from './time-zones';
import type { GraphChangeNotification, GraphLifecycleEvent, GraphLifecycleNotification, GraphNotificationCollection } from './types';

// What subscriptions send: a change notification for every write to a watched event (one
// per POST; Graph may batch, subscribers must accept either) and lifecycle notifications
// when the control API says so. Both are queued here and delivered by the dispatcher.

function changeNotification(record: SubscriptionRecord, account: Account, change: EventChange): GraphChangeNotification {
  const resource = `Users/${account.id}/Events/${change.event.id}`;
  return {
    subscriptionId: record.id,
    subscriptionExpirationDateTime: formatUtcTimestamp(record.expiresMs),
    changeType: change.changeType,
    resource,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Event',
      '@odata.id': resource,
      '@odata.etag': etagOf(change.event.changeKey),
      id: change.event.id,
    },
    clientState: record.clientState,
    tenantId: SANDBOX_TENANT_ID,
  };
}

/** Queues a notification of `change` for every active subscription of the account that watches it. */
export function publishEventChange(state: MicrosoftSandboxState, account: Account, change: EventChange): void {
  // A mailbox left over from before a reset belongs to no one any more.
  if (state.accounts.get(account.email) !== account) return;
  const now = state.now();
  for (const record of state.subscriptions.values()) {
    if (record.email !== account.email || !isActive(record, now)) continue;
    if (!record.changeTypes.has(change.changeType) || !watches(record, change.event)) continue;
    const { deliveries } = record;
    deliveries.notificationsQueued += 1;
    if (record.notificationsPaused) {
      // Graph loses what happens while it waits for reauthorization.
      deliveries.notificationsDropped += 1;
      continue;
    }
    deliveries.pending += 1;
    const body: GraphNotificationCollection<GraphChangeNotification> = { value: [changeNotification(record, account, change)] };
    state.webhooks.enqueue({
      queue: `${record.id} notifications`,
      url: record.notificationUrl,
      body,
      wanted: () => isActive(record, state.now()) && !record.notificationsPaused,
      onAttempt: () => {
        deliveries.deliveryAttempts += 1;
      },
      onDone: (outcome) => {
        deliveries.pending -= 1;
        if (outcome === 'delivered') deliveries.notificationsDelivered += 1;
        else if (outcome === 'failed') deliveries.notificationsFailed += 1;
        else deliveries.notificationsDropped += 1;
      },
    });
  }
}

/**
 * Queues a lifecycle notification to the subscription's lifecycleNotificationUrl; false
 * when it has none (Graph then sends nothing). It goes out even if the subscription has
 * just been removed: that is what subscriptionRemoved announces.
 */
export function sendLifecycleNotification(
  state: MicrosoftSandboxState,
  record: SubscriptionRecord,
  lifecycleEvent: GraphLifecycleEvent,
): boolean {
  const url = record.lifecycleNotificationUrl;
  if (url === null) return false;
  const { deliveries } = record;
  deliveries.lifecycleNotificationsQueued += 1;
  deliveries.pending += 1;
  const body: GraphNotificationCollection<GraphLifecycleNotification> = {
    value: [
      {
        subscriptionId: record.id,
        subscriptionExpirationDateTime: formatUtcTimestamp(record.expiresMs),
        tenantId: SANDBOX_TENANT_ID,
        clientState: record.clientState,
        lifecycleEvent,
      },
    ],
  };
  state.webhooks.enqueue({
    queue: `${record.id} lifecycle`,
    url,
    body,
    wanted: () => true,
    onAttempt: () => undefined,
    onDone: (outcome) => {
      deliveries.pending -= 1;
      if (outcome === 'delivered') deliveries.lifecycleNotificationsDelivered += 1;
      else deliveries.lifecycleNotificationsFailed += 1;
    },
  });
  return true;
}
