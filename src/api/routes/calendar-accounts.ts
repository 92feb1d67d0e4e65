import { Router } from 'express';
import { z } from 'zod';
import type { CalendarAccounts } from '../../application/calendar-accounts';
import { calendarAccountApiError } from '../calendar-account-errors';
import { calendarAccountJson } from '../calendar-account-json';
import { validationError } from '../errors';
import { caldavAccountBodySchema, caldavReconnectBodySchema, idSchema, patchAccountBodySchema, removeEventsQuerySchema } from '../schemas';
import { connectionCalendarsSchema, connectionListSchema, connectionSchema } from '../responses/connections';
import { sendJson } from '../send-json';
import { parseBody, parseParam } from '../validate';

const userIdSchema = idSchema('userId');
const accountIdSchema = z.uuid('connection ids are UUIDs');

/** A user's calendar accounts: list, connect and reconnect CalDAV, their calendars, toggle sync, choose calendar, disconnect. */
export function calendarAccountRoutes(accounts: CalendarAccounts): Router {
  const router = Router();

  router.get('/v1/users/:userId/connections', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    sendJson(res, 200, connectionListSchema, { connections: (await accounts.list(userId)).map(calendarAccountJson) });
  });

  router.post('/v1/users/:userId/connections', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const result = await accounts.connectCalDav(userId, parseBody(req, caldavAccountBodySchema));
    if (!result.ok) throw calendarAccountApiError(result.error);
    sendJson(res, result.value.created ? 201 : 200, connectionSchema, calendarAccountJson(result.value.account));
  });

  // CalDAV and iCloud: the same account signs in again (OAuth accounts reconnect through a connect link).
  router.post('/v1/users/:userId/connections/:connectionId/reconnect', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, accountIdSchema);
    const result = await accounts.reconnectCalDav(userId, id, parseBody(req, caldavReconnectBodySchema));
    if (!result.ok) throw calendarAccountApiError(result.error);
    sendJson(res, 200, connectionSchema, calendarAccountJson(result.value));
  });

  router.get('/v1/users/:userId/connections/:connectionId/calendars', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, accountIdSchema);
    const result = await accounts.calendars(userId, id);
    if (!result.ok) throw calendarAccountApiError(result.error);
    sendJson(res, 200, connectionCalendarsSchema, { calendars: result.value });
  });

  router.patch('/v1/users/:userId/connections/:connectionId', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, accountIdSchema);
    const result = await accounts.update(userId, id, parseBody(req, patchAccountBodySchema));
    if (!result.ok) throw calendarAccountApiError(result.error);
    sendJson(res, 200, connectionSchema, calendarAccountJson(result.value));
  });

  router.delete('/v1/users/:userId/connections/:connectionId', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const id = parseParam(req.params.connectionId, accountIdSchema);
    const query = removeEventsQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const result = await accounts.disconnect(userId, id, query.data.removeEvents === 'true');
    if (!result.ok) throw calendarAccountApiError(result.error);
    sendJson(res, result.value.changed ? 202 : 200, connectionSchema, calendarAccountJson(result.value.account));
  });

  return router;
}
