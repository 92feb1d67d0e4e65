import { z } from 'zod';
import { NOTIFICATION_DATA_SCHEMAS } from '../../domain/notification-events';
import type { NotificationType } from '../../domain/notifications';

// The document's top-level `webhooks`: what this service POSTs to NOTIFY_URL, one entry per
// notification type, in the envelope src/activities/notifications.ts sends.

const EXAMPLE_ID = '0b7e6f5a-4c3d-4b2a-8f1e-9d8c7b6a5f4e';
const EXAMPLE_AT = '2026-04-02T10:00:01.734Z';

/** The body a receiver gets for one type: `type` fixed, `data` that type's. */
export function notificationEnvelopeSchema<T extends NotificationType>(type: T) {
  const data = NOTIFICATION_DATA_SCHEMAS[type];
  const dataExample = (z.globalRegistry.get(data)?.examples as unknown[] | undefined)?.[0];
  return z
    .object({
      id: z.uuid().describe('the notification’s id: the same on every attempt and redelivery (`webhook-id`); deduplicate on it'),
      type: z.literal(type),
      occurredAt: z.iso.datetime({ offset: true }).describe('when the notification was recorded'),
      data,
    })
    .meta({ examples: [{ id: EXAMPLE_ID, type, occurredAt: EXAMPLE_AT, data: dataExample }] });
}

const header = (name: string, description: string, extra: Record<string, unknown> = {}) => ({
  name,
  in: 'header',
  description,
  schema: { type: 'string' },
  ...extra,
});

/** The headers of every delivery; the Standard Webhooks ones when NOTIFY_SECRETS is set. */
const DELIVERY_HEADERS = [
  header('webhook-id', 'Standard Webhooks (with NOTIFY_SECRETS): the body’s `id`', { required: false }),
  header('webhook-timestamp', 'Standard Webhooks (with NOTIFY_SECRETS): unix seconds of this attempt', { required: false }),
  header(
    'webhook-signature',
    'Standard Webhooks (with NOTIFY_SECRETS): `v1,<base64 HMAC-SHA256(secret, webhook-id + "." + webhook-timestamp + "." + raw body)>`, one per NOTIFY_SECRETS entry, space-separated; verify with a Standard Webhooks library',
    { required: false },
  ),
  header('X-Signature', 'deprecated: `t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, t + "." + raw body)>`', {
    required: true,
    deprecated: true,
  }),
  header('Idempotency-Key', 'the body’s `id`', { required: true }),
];

const pascal = (type: string) =>
  type
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** `webhooks`: one POST per notification type. */
export function notificationWebhooks(): Record<string, unknown> {
  const types = Object.keys(NOTIFICATION_DATA_SCHEMAS) as NotificationType[];
  return Object.fromEntries(
    types.map((type) => {
      const { $schema: _dialect, ...schema } = z.toJSONSchema(notificationEnvelopeSchema(type), { io: 'output' }) as Record<
        string,
        unknown
      >;
      const description = z.globalRegistry.get(NOTIFICATION_DATA_SCHEMAS[type])?.description;
      return [
        type,
        {
          post: {
            tags: ['Notifications'],
            operationId: `on${pascal(type)}`,
            summary: `\`${type}\`${description ? `: ${description}` : ''}`,
            description:
              'Sent to NOTIFY_URL. Answer 2xx once it is handled; anything else (or no answer within 10 s) is retried with backoff, honouring `Retry-After`, for NOTIFY_RETRY_FOR; then it is listed as failed by GET /v1/notifications.',
            parameters: DELIVERY_HEADERS,
            requestBody: { required: true, content: { 'application/json': { schema } } },
            responses: { '2XX': { description: 'received' } },
          },
        },
      ];
    }),
  );
}
