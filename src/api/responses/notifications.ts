import { z } from 'zod';
import { instant } from './instants';

// What the notification routes answer (src/api/routes/notifications.ts).

const notificationExample = {
  id: '0b7e6f5a-4c3d-4b2a-8f1e-9d8c7b6a5f4e',
  type: 'connection.needs_reauth' as const,
  data: { userId: 'tutor-17', connectionId: '6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d' },
  status: 'failed' as const,
  attempts: 14,
  lastError: 'NOTIFY_URL answered 503',
  createdAt: '2026-04-01T09:15:02.551Z',
  deliveredAt: null,
};

/** A notification and how its delivery to NOTIFY_URL went. */
export const notificationSchema = z
  .object({
    id: z.uuid().describe('also the delivery’s `webhook-id` and `Idempotency-Key`'),
    type: z.enum([
      'connection.connected',
      'connection.needs_reauth',
      'connection.bulk_sync_completed',
      'connection.error',
      'booking.sync_failed',
      'booking.conflict_detected',
      'booking.removed_externally',
      'booking.moved_externally',
    ]),
    data: z.record(z.string(), z.unknown()).describe('as sent: see `webhooks` for each type’s `data`'),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: instant,
    deliveredAt: instant.nullable(),
  })
  .meta({ examples: [notificationExample] });

/** `GET /v1/notifications`: newest first. */
export const notificationPageSchema = z
  .object({
    notifications: z.array(notificationSchema),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ examples: [{ notifications: [notificationExample], nextCursor: null }] });

/** `POST /v1/notifications/:id/redeliver`: the notification, pending again. */
export const redeliveredNotificationSchema = notificationSchema.meta({
  examples: [{ ...notificationExample, status: 'pending' }],
});
