import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { usableCredentials } from '../../connections/token-refresh';
import type { Connection, ConnectionStore } from '../../db/connections';
import type { WorkflowTarget } from '../../config';
import type { Logger } from '../../logging';
import { ProviderError, type CalendarInfo, type ProviderRegistry } from '../../providers';
import { disconnect, signalConnected } from '../connection-commands';
import { ApiError, validationError } from '../errors';
import { caldavConnectionBodySchema, idSchema, patchConnectionBodySchema } from '../schemas';
import { connectCalDav } from '../../connections/caldav-connect';
import { parseBody, parseParam } from '../validate';

const userIdSchema = idSchema('userId');
const connectionIdSchema = z.uuid('connection ids are UUIDs');
const deleteQuerySchema = z.strictObject({ removeEvents: z.enum(['true', 'false']).optional() });

/** A connection as the API shows it: never a secret. */
export function connectionJson(c: Connection & { accountEmail: string | null }) {
  return {
    id: c.id,
    provider: c.provider,
    accountEmail: c.accountEmail,
    status: c.status,
    syncEnabled: c.syncEnabled,
    calendarId: c.calendarId,
    lastSyncedAt: c.lastSyncedAt?.toISOString() ?? null,
    lastError: c.lastError,
    ...(c.bulkSync ? { bulkSync: c.bulkSync } : {}),
    ...(c.removingEvents ? { removingEvents: true } : {}),
  };
}

export interface ConnectionRouteDeps {
  icloudCaldavUrl: string;
  connections: ConnectionStore;
  providers: ProviderRegistry;
  temporal: Client;
  workflows: WorkflowTarget;
  logger: Logger;
}

/** A user's calendar connections: list, their calendars, toggle sync, choose calendar, disconnect. */
export function connectionRoutes({ icloudCaldavUrl, connections, providers, temporal, workflows, logger }: ConnectionRouteDeps): Router {
  const router = Router();

  /** The account's calendars, from the provider (refreshing the token when needed). */
  async function calendarsOf(c: Connection): Promise<CalendarInfo[]> {
    try {
      const credentials = await usableCredentials({ connections, providers, logger }, c.id);
      return await providers.calendar(c.provider).listCalendars({ credentials });
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'invalid_grant') {
        throw new ApiError(409, 'connection_needs_reauth', 'the user must reconnect this calendar first');
      }
      if (err instanceof ProviderError) throw new ApiError(502, 'provider_unavailable', `the calendar provider could not list calendars: ${err.message}`);
      throw err;
    }
  }

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

  router.post('/v1/users/:userId/connections', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const body = parseBody(req, caldavConnectionBodySchema);
    const result = await connectCalDav(
      { connections, icloudCaldavUrl, onConnected: (c, created) => signalConnected(temporal, workflows, c, !created) },
      { userId, ...body },
    );
    if (!result.ok) throw new ApiError(result.error === 'caldav_unreachable' ? 502 : 400, result.error, result.message);
    const { connection, created } = result;
    const [view] = (await connections.listForUserWithEmail(userId)).filter((c) => c.id === connection.id);
    res.status(created ? 201 : 200).json(connectionJson(view!));
  });

  router.get('/v1/users/:userId/connections/:connectionId/calendars', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, connectionIdSchema);
    const c = await owned(userId, id);
    if (c.status === 'disconnected') throw new ApiError(409, 'connection_disconnected', 'the connection is disconnected');
    res.json({ calendars: (await calendarsOf(c)).map((x) => ({ ...x, selected: x.id === c.calendarId })) });
  });

  router.patch('/v1/users/:userId/connections/:connectionId', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, connectionIdSchema);
    const body = parseBody(req, patchConnectionBodySchema);
    const before = await owned(userId, id);
    if (before.status === 'disconnected') throw new ApiError(409, 'connection_disconnected', 'the connection is disconnected');
    if (body.calendarId !== undefined && body.calendarId !== before.calendarId) {
      const chosen = (await calendarsOf(before)).find((x) => x.id === body.calendarId);
      if (!chosen) throw new ApiError(404, 'calendar_not_found', 'the account has no calendar with that id');
      if (!chosen.writable) throw new ApiError(400, 'calendar_not_writable', `the account cannot add events to "${chosen.name}"`);
      if (chosen.id !== before.calendarId) {
        await connections.setCalendar(id, chosen.id);
        // Every booking's event moves: the bulk sync asks each booking workflow to re-sync.
        await signalConnected(temporal, workflows, before, true);
      }
    }
    if (body.syncEnabled !== undefined && body.syncEnabled !== before.syncEnabled) {
      const after = await connections.setSyncEnabled(id, body.syncEnabled);
      // Turned back on: bring the bookings made meanwhile into the calendar.
      if (body.syncEnabled && after) await signalConnected(temporal, workflows, after, true);
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
    await disconnect(connections, temporal, workflows, c, removeEvents);
    res.status(202).json(connectionJson(await owned(userId, id)));
  });

  return router;
}
