import { Router } from 'express';
import { z } from 'zod';
import type { Notifications, NotificationsError } from '../../application/notifications';
import type { NotificationRecord } from '../../db/notifications';
import { ApiError, validationError } from '../errors';
import { notificationPageSchema, redeliveredNotificationSchema } from '../responses/notifications';
import { notificationsQuerySchema as querySchema } from '../schemas';
import { sendJson } from '../send-json';

function notificationJson(n: NotificationRecord) {
  return {
    id: n.id,
    type: n.type,
    data: n.data,
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: n.createdAt.toISOString(),
    deliveredAt: n.deliveredAt?.toISOString() ?? null,
  };
}

function notificationsError(error: NotificationsError, id?: string): ApiError {
  if (error === 'invalid_cursor')
    return new ApiError(400, 'invalid_cursor', 'cursor is not one this list gave out (pass nextCursor as it came)');
  if (error === 'notifications_off') return new ApiError(409, 'notifications_off', 'no NOTIFY_URL is configured: nothing is sent');
  return new ApiError(404, 'notification_not_found', `no notification ${id ?? ''}`.trim());
}

const idSchema = z.uuid();

/**
 * `GET /v1/notifications?status=failed&cursor=…`: what the booking system was (or could not be)
 * told, newest first; `POST /v1/notifications/:id/redeliver` sends one again.
 */
export function notificationRoutes(notifications: Notifications): Router {
  const router = Router();
  router.get('/v1/notifications', async (req, res) => {
    const query = querySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const page = await notifications.page(query.data.status, query.data.cursor, query.data.limit);
    if (!page.ok) throw notificationsError(page.error);
    sendJson(res, 200, notificationPageSchema, {
      notifications: page.value.notifications.map(notificationJson),
      nextCursor: page.value.nextCursor,
    });
  });
  router.post('/v1/notifications/:id/redeliver', async (req, res) => {
    const id = idSchema.safeParse(req.params['id']);
    // Notification ids are UUIDs: anything else names none.
    if (!id.success) throw notificationsError('notification_not_found');
    const result = await notifications.redeliver(id.data);
    if (!result.ok) throw notificationsError(result.error, id.data);
    sendJson(res, 202, redeliveredNotificationSchema, notificationJson(result.value));
  });
  return router;
}
