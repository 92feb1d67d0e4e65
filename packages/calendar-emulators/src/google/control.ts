import express, { type Request, type Response, type Router } from 'express';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  ControlError,
  controlErrorHandler,
  emailSchema as email,
  parseInput as parse,
  registerFaultRoutes,
  unknownControlRoute,
} from '../shared/control';
import { calendarListEntry } from './calendar-list';
import { accountChannels, announceEventsChanged, channelView, expireChannel } from './channels';
import { requestOrigin, searchParams } from './context';
import { GoogleApiError } from './errors';
import { invalidateSyncTokens } from './event-list';
import { isJsonObject, toEventResource } from './event-model';
import { deleteEvent, insertEvent, patchEvent } from './event-store';
import { checkAuthorizationRequest, expireAccessTokens, issueAuthorizationCode, revokeAccount } from './oauth-grants';
import { recurrenceReady } from './recurrence-engine';
import { DEFAULT_SCOPE } from './scopes';
import {
  addSecondaryCalendar,
  calendarKey,
  findAccount,
  findCalendar,
  getOrCreateAccount,
  resetSandboxState,
  type Account,
  type CalendarStore,
  type SandboxState,
} from './state';
import { snapshotStats } from './stats';
import type { AuthorizeInput, CreateCalendarInput, SandboxConfig } from './types';

// The /sandbox control API: what tests and the README tour use to set the scene.
// It does not exist on Google, needs no auth, and is never counted or faulted.

const accountSchema = z.strictObject({ email });

const authorizeSchema = z.strictObject({
  email,
  clientId: z.string().min(1),
  redirectUri: z.string().min(1),
  scope: z.string().min(1).optional(),
  accessType: z.enum(['online', 'offline']).optional(),
  codeChallenge: z.string().optional(),
  codeChallengeMethod: z.enum(['S256', 'plain']).optional(),
}) satisfies z.ZodType<AuthorizeInput>;

const calendarSchema = z.strictObject({
  summary: z.string().min(1),
  timeZone: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone')
    .optional(),
  accessRole: z.enum(['owner', 'writer', 'reader']).optional(),
}) satisfies z.ZodType<CreateCalendarInput>;

const calendarAccessSchema = z.strictObject({ accessRole: z.enum(['owner', 'writer', 'reader']) });
const disabledSchema = z.strictObject({ disabled: z.boolean() });

const configSchema = z.strictObject({
  accessTokenTtlSeconds: z.number().int().min(1).optional(),
  perUserPerMinute: z.number().int().min(0).optional(),
  perUserWindowSeconds: z.number().int().min(1).max(3600).optional(),
  enforceScopes: z.boolean().optional(),
  requireHttpsWebhooks: z.boolean().optional(),
  webhookTimeoutMs: z.number().int().min(1).max(60_000).optional(),
  webhookAttempts: z.number().int().min(1).max(10).optional(),
  webhookRetryDelayMs: z.number().int().min(0).max(60_000).optional(),
}) satisfies z.ZodType<Partial<SandboxConfig>>;

function existingAccount(state: SandboxState, req: Request): Account {
  const value = req.params['email'];
  const account = typeof value === 'string' ? findAccount(state, value) : undefined;
  if (!account) throw new ControlError(404, `No sandbox account ${String(value)}`);
  return account;
}

/** The account's calendar by id (`primary` or absent: the primary calendar). */
function accountCalendar(account: Account, calendarId: string | undefined): CalendarStore {
  if (calendarId === undefined) return account.calendar;
  const calendar = findCalendar(account, calendarId);
  if (!calendar) throw new ControlError(404, `No calendar ${calendarId} in sandbox account ${account.email}`);
  return calendar;
}

/** The calendar named by `?calendarId=`, the primary one without it. */
function queryCalendar(account: Account, req: Request): CalendarStore {
  return accountCalendar(account, searchParams(req).get('calendarId') ?? undefined);
}

/** Separates the control-only `calendarId` from an event body. */
function splitCalendarId(body: unknown): { calendarId?: string; event: unknown } {
  if (!isJsonObject(body) || !('calendarId' in body)) return { event: body };
  const { calendarId, ...event } = body;
  if (typeof calendarId !== 'string') throw new ControlError(400, 'calendarId must be a string');
  return { calendarId, event };
}

function eventIdParam(req: Request): string {
  const value = req.params['eventId'];
  if (typeof value !== 'string') throw new ControlError(404, 'No such event');
  return value;
}

// Event validation failures keep Google's shape, so tests see the same reasons.
const googleErrors = (error: unknown, res: Response): boolean => {
  if (!(error instanceof GoogleApiError)) return false;
  res.status(error.status).json(error.toBody());
  return true;
};

export function controlRouter(state: SandboxState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  // Control writes validate events too, recurrence included.
  router.use(recurrenceReady);

  router.post('/accounts', (req, res) => {
    const input = parse(accountSchema, req.body);
    res.json({ email: getOrCreateAccount(state, input.email).email });
  });

  router.post('/authorizations', (req, res) => {
    const input = parse(authorizeSchema, req.body);
    const check = checkAuthorizationRequest(
      state,
      {
        clientId: input.clientId,
        redirectUri: input.redirectUri,
        scope: input.scope,
        accessType: input.accessType,
        codeChallenge: input.codeChallenge,
        codeChallengeMethod: input.codeChallengeMethod,
      },
      { accessType: 'offline', scope: DEFAULT_SCOPE },
    );
    if (!check.ok) throw new ControlError(400, `${check.error}: ${check.message}`);
    res.json({ code: issueAuthorizationCode(state, input.email, check.request) });
  });

  router.post('/accounts/:email/expire-access-tokens', (req, res) => {
    const account = existingAccount(state, req);
    res.json({ expired: expireAccessTokens(state, account.email) });
  });

  router.post('/accounts/:email/revoke', (req, res) => {
    revokeAccount(state, existingAccount(state, req).email);
    res.json({});
  });

  // Without ?calendarId= every calendar of the account loses its sync tokens.
  router.post('/accounts/:email/invalidate-sync-tokens', (req, res) => {
    const account = existingAccount(state, req);
    const calendarId = searchParams(req).get('calendarId');
    const calendars = calendarId === null ? [...account.calendars.values()] : [accountCalendar(account, calendarId)];
    for (const calendar of calendars) invalidateSyncTokens(calendar);
    res.json({});
  });

  router.get('/accounts/:email/calendars', (req, res) => {
    const account = existingAccount(state, req);
    res.json({ items: [...account.calendars.values()].map(calendarListEntry) });
  });

  // A secondary calendar: one the user created (owner) or one shared with them (writer, reader).
  router.post('/accounts/:email/calendars', (req, res) => {
    const account = existingAccount(state, req);
    const input = parse(calendarSchema, req.body);
    res.status(201).json(calendarListEntry(addSecondaryCalendar(state, account, input)));
  });

  // The user deletes a secondary calendar (or it stops being shared with them): calls on it get 404 notFound.
  router.delete('/accounts/:email/calendars/:calendarId', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = accountCalendar(account, String(req.params['calendarId']));
    if (calendar.primary) throw new ControlError(400, 'The primary calendar cannot be deleted');
    account.calendars.delete(calendarKey(calendar.id));
    res.status(204).end();
  });

  // The calendar's owner changes what the account may do there (`reader`: writes get 403 requiredAccessLevel).
  router.patch('/accounts/:email/calendars/:calendarId', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = accountCalendar(account, String(req.params['calendarId']));
    if (calendar.primary) throw new ControlError(400, 'The primary calendar is always owned by its account');
    calendar.accessRole = parse(calendarAccessSchema, req.body).accessRole;
    res.json(calendarListEntry(calendar));
  });

  // The account's Calendar service is switched off (true) or on again (false): while off, every
  // Calendar API call with its tokens gets 403 notACalendarUser; OAuth keeps working.
  router.put('/accounts/:email/disabled', (req, res) => {
    const account = existingAccount(state, req);
    account.disabled = parse(disabledSchema, req.body).disabled;
    res.json({ disabled: account.disabled });
  });

  router.get('/accounts/:email/events', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = queryCalendar(account, req);
    const showDeleted = req.query['showDeleted'] === 'true';
    const origin = requestOrigin(req);
    const items = [...calendar.events.values()]
      .filter((event) => showDeleted || event.status !== 'cancelled')
      .sort((a, b) => a.order - b.order)
      .map((event) => toEventResource(event, calendar, origin));
    res.json({ items });
  });

  // "The user" (or, on a calendar shared read-only, its owner) edits a calendar directly:
  // used by two-way sync tests. Access roles do not apply here.
  router.post('/accounts/:email/events', (req, res) => {
    const account = existingAccount(state, req);
    const { calendarId, event: body } = splitCalendarId(req.body as unknown);
    const calendar = accountCalendar(account, calendarId);
    const event = insertEvent(calendar, body, state.now());
    announceEventsChanged(state, calendar);
    res.status(201).json(toEventResource(event, calendar, requestOrigin(req)));
  });

  router.patch('/accounts/:email/events/:eventId', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = queryCalendar(account, req);
    const event = patchEvent(calendar, eventIdParam(req), req.body as unknown, undefined, state.now());
    announceEventsChanged(state, calendar);
    res.json(toEventResource(event, calendar, requestOrigin(req)));
  });

  router.delete('/accounts/:email/events/:eventId', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = queryCalendar(account, req);
    deleteEvent(calendar, eventIdParam(req), undefined, state.now());
    announceEventsChanged(state, calendar);
    res.status(204).end();
  });

  // Push channels the account opened with events.watch, with what was delivered on each.
  router.get('/accounts/:email/channels', (req, res) => {
    const account = existingAccount(state, req);
    const calendarId = searchParams(req).get('calendarId');
    const calendar = calendarId === null ? undefined : accountCalendar(account, calendarId);
    const now = state.now();
    res.json({ items: accountChannels(state, account, calendar).map((channel) => channelView(channel, now)) });
  });

  // The channel expires now: nothing more is sent on it, queued messages included.
  router.post('/channels/:channelId/expire', (req, res) => {
    const channelId = req.params['channelId'];
    const channel = typeof channelId === 'string' ? state.channels.get(channelId) : undefined;
    if (!channel) throw new ControlError(404, `No push channel ${String(channelId)}`);
    expireChannel(state, channel);
    res.json(channelView(channel, state.now()));
  });

  router.get('/stats', (_req, res) => {
    res.json(snapshotStats(state));
  });

  router.get('/config', (_req, res) => {
    res.json(state.config);
  });

  router.post('/config', (req, res) => {
    const input = parse(configSchema, req.body);
    state.config = { ...state.config, ...input };
    res.json(state.config);
  });

  registerFaultRoutes(router, state);

  router.post('/reset', (_req, res) => {
    resetSandboxState(state);
    res.json({});
  });

  router.use(unknownControlRoute);
  router.use(controlErrorHandler(googleErrors));
  return router;
}
