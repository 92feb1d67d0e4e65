import { Router } from 'express';
import type { NotificationStore } from '../../db/notifications';
import { validationError } from '../errors';
import { notificationsQuerySchema as querySchema } from '../schemas';

/** `GET /v1/notifications?status=failed`: what the booking system was (or could not be) told. */
export function notificationRoutes(store: NotificationStore): Router {
  const router = Router();
  router.get('/v1/notifications', async (req, res) => {
    const query = querySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const list = await store.list(query.data.status, query.data.limit);
    res.json({
      notifications: list.map((n) => ({
        id: n.id,
        type: n.type,
        data: n.data,
        status: n.status,
        attempts: n.attempts,
        lastError: n.lastError,
        createdAt: n.createdAt.toISOString(),
        deliveredAt: n.deliveredAt?.toISOString() ?? null,
      })),
    });
  });
  return router;
}
