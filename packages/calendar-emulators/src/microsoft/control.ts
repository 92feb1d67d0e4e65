import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ControlError, controlErrorHandler, emailSchema, parseInput, registerFaultRoutes, unknownControlRoute } from '../shared/control';
import { routeParam, searchParams } from '../shared/http';
import { invalidateDeltaTokens } from './calendar-view';
import { calendarOwner, toGraphCalendar } from './calendars';
import { GraphApiError, graphErrorBody } from './errors';
import { isJsonObject, toControlEvent, type StoredEvent } from './event-model';
import { calendarEvents, createEvent, deleteEvent, lookupEvent, patchEvent } from './event-store';
import { newRequestId } from './ids';
import { checkAuthorizationRequest, expireAccessTokens, expireRefreshTokens, issueAuthorizationCode, revokeAccount } from './oauth-grants';
import { DEFAULT_SCOPE } from './scopes';
import {
  addCalendar,
  findAccount,
  getOrCreateAccount,
  ownerAddress,
  resetMicrosoftState,
  type Account,
  type MailboxCalendar,
  type MicrosoftSandboxState,
} from './state';
import { snapshotStats } from './stats';
import { registerSubscriptionControlRoutes } from './subscription-control';
import type {
  CreateMicrosoftCalendarInput,
  GraphEvent,
  MicrosoftAccountInput,
  MicrosoftAccountView,
  MicrosoftAuthorizeInput,
  MicrosoftSandboxConfig,
} from './types';

// The /sandbox control API: what tests and the README tour use to set the scene.
// It does not exist at Microsoft, needs no auth, and is never counted or faulted.

const accountSchema = z.strictObject({
  email: emailSchema,
  displayName: z.string().trim().min(1).max(256).optional(),
  mail: emailSchema.optional(),
  tenantId: z.guid().optional(),
}) satisfies z.ZodType<MicrosoftAccountInput>;

const authorizeSchema = z.strictObject({
  email: emailSchema,
  clientId: z.string().min(1),
  redirectUri: z.string().min(1),
  scope: z.string().min(1).optional(),
  codeChallenge: z.string().optional(),
  codeChallengeMethod: z.enum(['S256', 'plain']).optional(),
}) satisfies z.ZodType<MicrosoftAuthorizeInput>;

const configSchema = z.strictObject({
  accessTokenTtlSeconds: z.number().int().min(1).optional(),
  refreshTokenTtlSeconds: z.number().int().min(1).optional(),
  strictRotation: z.boolean().optional(),
  mailboxRequestsPer10Minutes: z.number().int().min(0).optional(),
  mailboxConcurrentRequests: z.number().int().min(0).optional(),
  requireHttpsWebhooks: z.boolean().optional(),
  webhookValidationTimeoutMs: z.number().int().min(1).max(60_000).optional(),
  webhookDeliveryTimeoutMs: z.number().int().min(1).max(60_000).optional(),
  webhookMaxAttempts: z.number().int().min(1).max(20).optional(),
  webhookRetryBaseDelayMs: z.number().int().min(0).max(3_600_000).optional(),
}) satisfies z.ZodType<Partial<MicrosoftSandboxConfig>>;

const calendarSchema = z.strictObject({
  name: z.string().trim().min(1).max(255),
  canEdit: z.boolean().optional(),
  owner: z.strictObject({ name: z.string().trim().min(1), address: emailSchema }).optional(),
}) satisfies z.ZodType<CreateMicrosoftCalendarInput>;

const calendarAccessSchema = z.strictObject({ canEdit: z.boolean() });
const disabledSchema = z.strictObject({ disabled: z.boolean() });

function accountView(account: Account): MicrosoftAccountView {
  return {
    email: account.email,
    id: account.id,
    mail: account.mail,
    tenantId: account.tenantId,
    displayName: account.displayName,
    givenName: account.givenName,
    surname: account.surname,
  };
}

function existingAccount(state: MicrosoftSandboxState, req: Request): Account {
  const email = routeParam(req, 'email');
  const account = email === undefined ? undefined : findAccount(state, email);
  if (!account) throw new ControlError(404, `No sandbox account ${String(email)}`);
  return account;
}

/** The account's calendar by id; absent means the default calendar. */
function accountCalendar(account: Account, calendarId: string | undefined): MailboxCalendar {
  const id = calendarId ?? account.mailbox.defaultCalendarId;
  const calendar = account.mailbox.calendars.get(id);
  if (!calendar) throw new ControlError(404, `No calendar ${id} in sandbox account ${account.email}`);
  return calendar;
}

/** A stored event or an occurrence of a series (so "the user" can change or cancel one occurrence). */
function existingEvent(account: Account, req: Request): StoredEvent {
  const eventId = routeParam(req, 'eventId');
  const event = eventId === undefined ? undefined : lookupEvent(account.mailbox, eventId);
  if (!event) throw new ControlError(404, `No event ${String(eventId)} in sandbox account ${account.email}`);
  return event;
}

/** Separates the control-only `calendarId` from an event body. */
function splitCalendarId(body: unknown): { calendarId?: string; event: unknown } {
  if (!isJsonObject(body) || !('calendarId' in body)) return { event: body };
  const { calendarId, ...event } = body;
  if (typeof calendarId !== 'string') throw new ControlError(400, 'calendarId must be a string');
  return { calendarId, event };
}

function controlEvent(account: Account, event: StoredEvent): GraphEvent {
  const calendar = account.mailbox.calendars.get(event.calendarId);
  return toControlEvent(event, calendar ? calendarOwner(account, calendar) : ownerAddress(account));
}

// Event validation failures keep Graph's shape, so tests see the same codes.
const graphErrorsAsGraph = (error: unknown, res: Response): boolean => {
  if (!(error instanceof GraphApiError)) return false;
  const ids = { requestId: newRequestId(), clientRequestId: newRequestId(), at: new Date() };
  res
    .status(error.status)
    .set(error.headers)
    .json(graphErrorBody(error.code, error.message, ids));
  return true;
};

export function controlRouter(state: MicrosoftSandboxState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.post('/accounts', (req, res) => {
    const input = parseInput(accountSchema, req.body);
    res.json(accountView(getOrCreateAccount(state, input.email, input.displayName, { mail: input.mail, tenantId: input.tenantId })));
  });

  router.get('/accounts/:email', (req, res) => {
    res.json(accountView(existingAccount(state, req)));
  });

  router.post('/authorizations', (req, res) => {
    const input = parseInput(authorizeSchema, req.body);
    const check = checkAuthorizationRequest(
      state,
      {
        tenant: 'common',
        clientId: input.clientId,
        redirectUri: input.redirectUri,
        responseType: 'code',
        scope: input.scope,
        codeChallenge: input.codeChallenge,
        codeChallengeMethod: input.codeChallengeMethod,
      },
      { scope: DEFAULT_SCOPE },
    );
    if (!check.ok) throw new ControlError(400, `${check.error.error}: ${check.error.description}`);
    res.json({ code: issueAuthorizationCode(state, input.email, check.request) });
  });

  router.post('/accounts/:email/expire-access-tokens', (req, res) => {
    res.json({ expired: expireAccessTokens(state, existingAccount(state, req).email) });
  });

  router.post('/accounts/:email/expire-refresh-tokens', (req, res) => {
    res.json({ expired: expireRefreshTokens(state, existingAccount(state, req).email) });
  });

  router.post('/accounts/:email/revoke', (req, res) => {
    res.json({ revoked: revokeAccount(state, existingAccount(state, req).email) });
  });

  router.get('/accounts/:email/calendars', (req, res) => {
    const account = existingAccount(state, req);
    res.json({ value: [...account.mailbox.calendars.values()].map((calendar) => toGraphCalendar(account, calendar)) });
  });

  // Another calendar of the mailbox; `canEdit: false` is one shared read-only with the user.
  router.post('/accounts/:email/calendars', (req, res) => {
    const account = existingAccount(state, req);
    const input = parseInput(calendarSchema, req.body);
    res.status(201).json(toGraphCalendar(account, addCalendar(state, account, input)));
  });

  // The calendar's owner changes what the account may do there (`canEdit: false`: Graph writes get 403 ErrorAccessDenied).
  router.patch('/accounts/:email/calendars/:calendarId', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = accountCalendar(account, routeParam(req, 'calendarId'));
    if (calendar.isDefault) throw new ControlError(400, 'The default calendar is always writable by its mailbox');
    calendar.canEdit = parseInput(calendarAccessSchema, req.body).canEdit;
    res.json(toGraphCalendar(account, calendar));
  });

  // The account is disabled (true) or enabled again (false): while disabled, every mailbox call
  // with its tokens gets 404 MailboxNotEnabledForRESTAPI; sign-in and /me keep working.
  router.put('/accounts/:email/disabled', (req, res) => {
    const account = existingAccount(state, req);
    account.disabled = parseInput(disabledSchema, req.body).disabled;
    res.json({ disabled: account.disabled });
  });

  // Every event of a calendar (the default one without ?calendarId=), in creation order,
  // in UTC, with all their extended properties.
  router.get('/accounts/:email/events', (req, res) => {
    const account = existingAccount(state, req);
    const calendar = accountCalendar(account, searchParams(req).get('calendarId') ?? undefined);
    res.json({ value: calendarEvents(account.mailbox, calendar.id).map((event) => controlEvent(account, event)) });
  });

  // "The user" (or the owner of a calendar shared read-only) edits a calendar directly:
  // used by two-way sync tests. canEdit does not apply here.
  router.post('/accounts/:email/events', (req, res) => {
    const account = existingAccount(state, req);
    const { calendarId, event: body } = splitCalendarId(req.body as unknown);
    const calendar = accountCalendar(account, calendarId);
    const { event } = createEvent(account.mailbox, calendar, body, state.now(), 'owner');
    res.status(201).json(controlEvent(account, event));
  });

  router.patch('/accounts/:email/events/:eventId', (req, res) => {
    const account = existingAccount(state, req);
    const event = existingEvent(account, req);
    const updated = patchEvent(account.mailbox, event, req.body as unknown, undefined, state.now(), 'owner');
    res.json(controlEvent(account, updated));
  });

  router.delete('/accounts/:email/events/:eventId', (req, res) => {
    const account = existingAccount(state, req);
    deleteEvent(account.mailbox, existingEvent(account, req), undefined, 'owner', state.now());
    res.status(204).end();
  });

  // The next calendarView/delta call with any of the mailbox's delta or skip tokens gets 410 SyncStateNotFound.
  router.post('/accounts/:email/invalidate-delta-tokens', (req, res) => {
    res.json({ invalidated: invalidateDeltaTokens(existingAccount(state, req).mailbox) });
  });

  router.get('/stats', (_req, res) => {
    res.json(snapshotStats(state));
  });

  router.get('/config', (_req, res) => {
    res.json(state.config);
  });

  router.post('/config', (req, res) => {
    const input = parseInput(configSchema, req.body);
    state.config = { ...state.config, ...input };
    res.json(state.config);
  });

  registerSubscriptionControlRoutes(router, state);
  registerFaultRoutes(router, state);

  router.post('/reset', (_req, res) => {
    resetMicrosoftState(state);
    res.json({});
  });

  router.use(unknownControlRoute);
  router.use(controlErrorHandler(graphErrorsAsGraph));
  return router;
}
