import { Router } from 'express';
import type { ConnectionStore } from '../../db/connections';
import { idSchema } from '../schemas';
import { parseParam } from '../validate';

const userIdSchema = idSchema('userId');

/** A user's calendar connections, as the booking system may show them: never a secret. */
export function connectionRoutes(connections: ConnectionStore): Router {
  const router = Router();
  router.get('/v1/users/:userId/connections', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const rows = await connections.listForUserWithEmail(userId);
    res.json({
      connections: rows.map((c) => ({
        id: c.id,
        provider: c.provider,
        accountEmail: c.accountEmail,
        status: c.status,
        syncEnabled: c.syncEnabled,
        lastSyncedAt: c.lastSyncedAt?.toISOString() ?? null,
        lastError: c.lastError,
        ...(c.bulkSync ? { bulkSync: c.bulkSync } : {}),
      })),
    });
  });
  return router;
}
