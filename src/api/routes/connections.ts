import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Connection, ConnectionStore } from '../../db/connections';
import { disconnect, signalConnected } from '../connection-commands';
import { ApiError, validationError } from '../errors';
import { idSchema } from '../schemas';
import { parseBody, parseParam } from '../validate';

const userIdSchema = idSchema('userId');
const connectionIdSchema = z.uuid('connection ids are UUIDs');
export const patchConnectionBodySchema = z
  .strictObject({ syncEnabled: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: send syncEnabled');
const deleteQuerySchema = z.strictObject({ removeEvents: z.enum(['true', 'false']).optional() });

/** A connection as the API shows it: never a secret. */
export function connectionJson(c: Connection & { accountEmail: string | null }) {
  return {
    id: c.id,
    provider: c.provider,
    accountEmail: c.accountEmail,
    status: c.status,
    syncEnabled: c.syncEnabled,
    lastSyncedAt: c.lastSyncedAt?.toISOString() ?? null,
    lastError: c.lastError,
    ...(c.bulkSync ? { bulkSync: c.bulkSync } : {}),
    ...(c.removingEvents ? { removingEvents: true } : {}),
  };
}

/** A user's calendar connections: list, toggle sync, disconnect. */
export function connectionRoutes(connections: ConnectionStore, temporal: Client, taskQueue: string): Router {
  const router = Router();

  async function owned(userId: string, id: string) {
    const c = (await connections.listForUserWithEmail(userId)).find((x) => x.id === id);
    // Someone else's connection is indistinguishable from a missing one.
    if (!c) throw new ApiError(404, 'connection_not_found', `user ${userId} has no connection ${id}`);
    return c;
  }

  router.get('/v1/users/:userId/connections', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    res.json({ connections: (await connections.listForUserWithEmail(userId)).map(connectionJson) });
  });

  router.patch('/v1/users/:userId/connections/:connectionId', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, connectionIdSchema);
    const body = parseBody(req, patchConnectionBodySchema);
    const before = await owned(userId, id);
    if (before.status === 'disconnected') throw new ApiError(409, 'connection_disconnected', 'the connection is disconnected');
    if (body.syncEnabled !== undefined && body.syncEnabled !== before.syncEnabled) {
      const after = await connections.setSyncEnabled(id, body.syncEnabled);
      // Turned back on: bring the bookings made meanwhile into the calendar.
      if (body.syncEnabled && after) await signalConnected(temporal, taskQueue, after, true);
    }
    res.json(connectionJson(await owned(userId, id)));
  });

  router.delete('/v1/users/:userId/connections/:connectionId', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, connectionIdSchema);
    const query = deleteQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const removeEvents = query.data.removeEvents === 'true';
    const c = await owned(userId, id);
    if (c.status === 'disconnected') return res.json(connectionJson(c));
    await disconnect(connections, temporal, taskQueue, c, removeEvents);
    res.status(202).json(connectionJson(await owned(userId, id)));
  });

  return router;
}
