import { ApplicationFailure, Context } from '@temporalio/activity';
import { standardWebhookHeaders } from '../crypto/standard-webhooks';
import { signatureHeader } from '../crypto/webhook-signature';
import type { NotificationType } from '../domain/notifications';
import { parseRetryAfter } from '../providers/retry-after';
import type { ActivityDeps } from './deps';

const DELIVERY_TIMEOUT_MS = 10_000;

export interface RecordNotificationInput {
  id: string;
  type: NotificationType;
  data: Record<string, unknown>;
}

export function createNotificationActivities(deps: ActivityDeps) {
  const store = deps.notifications;
  return {
    /** Stores the event; `enabled: false` when no NOTIFY_URL is configured (nothing is stored then). */
    async recordNotification(input: RecordNotificationInput): Promise<{ enabled: boolean; retryForMs: number }> {
      if (!deps.notify) return { enabled: false, retryForMs: 0 };
      await store.record(input.id, input.type, input.data);
      return { enabled: true, retryForMs: deps.notify.retryForMs };
    },

    /**
     * POSTs one event to NOTIFY_URL with the event id as Idempotency-Key and `webhook-id` (the same
     * on every attempt and redelivery), signed per attempt: Standard Webhooks headers with every
     * NOTIFY_SECRETS entry and the deprecated X-Signature with WEBHOOK_SECRET. Anything but 2xx
     * is retried by Temporal.
     */
    async deliverNotification(input: { id: string }): Promise<void> {
      const notify = deps.notify;
      const notification = await store.get(input.id);
      if (!notify || !notification || notification.status !== 'pending') return;
      const body = JSON.stringify({
        id: notification.id,
        type: notification.type,
        occurredAt: notification.createdAt.toISOString(),
        data: notification.data,
      });
      let res: Response;
      try {
        res = await fetch(notify.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-signature': signatureHeader(notify.secret, body),
            'idempotency-key': notification.id,
            ...(notify.standardSecrets?.length ? standardWebhookHeaders(notify.standardSecrets, notification.id, body) : {}),
          },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), Context.current().cancellationSignal]),
          redirect: 'manual',
        });
        await res.body?.cancel();
      } catch (err) {
        const { cancellationSignal } = Context.current();
        if (cancellationSignal.aborted) throw cancellationSignal.reason;
        const message = `NOTIFY_URL unreachable (${err instanceof Error ? err.name : 'error'})`;
        await store.attemptFailed(notification.id, message);
        throw ApplicationFailure.retryable(message, 'NotifyUnreachable');
      }
      if (res.status >= 200 && res.status < 300) return store.delivered(notification.id);
      const message = `NOTIFY_URL answered ${res.status}`;
      await store.attemptFailed(notification.id, message);
      throw ApplicationFailure.create({ message, type: 'NotifyRefused', nextRetryDelay: parseRetryAfter(res.headers.get('retry-after')) });
    },

    async markNotificationFailed(input: { id: string }): Promise<void> {
      await store.failed(input.id);
    },
  };
}
