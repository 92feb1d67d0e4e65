import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  ControlError,
  controlErrorHandler,
  emailSchema as email,
  parseInput as parse,
  registerFaultRoutes,
  unknownControlRoute,
} from '../shared/control';
import { requestOrigin } from './context';
import { GoogleApiError } from './errors';
import { invalidateSyncTokens } from './event-list';
import { toEventResource } from './event-model';
import { deleteEvent, insertEvent, patchEvent } from './event-store';
import { checkAuthorizationRequest, expireAccessTokens, issueAuthorizationCode, revokeAccount } from './oauth-grants';
import { DEFAULT_SCOPE } from './scopes';
import { findAccount, getOrCreateAccount, resetSandboxState, type Account, type SandboxState } from './state';
import { snapshotStats } from './stats';
import type { AuthorizeInput, SandboxConfig } from './types';

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

const configSchema = z.strictObject({
  accessTokenTtlSeconds: z.number().int().min(1).optional(),
  perUserPerMinute: z.number().int().min(0).optional(),
  enforceScopes: z.boolean().optional(),
}) satisfies z.ZodType<Partial<SandboxConfig>>;

function existingAccount(state: SandboxState, req: Request): Account {
  const value = req.params['email'];
  const account = typeof value === 'string' ? findAccount(state, value) : undefined;
  if (!account) throw new ControlError(404, `No sandbox account ${String(value)}`);
  return account;
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

  router.post('/accounts/:email/invalidate-sync-tokens', (req, res) => {
    invalidateSyncTokens(existingAccount(state, req).calendar);
    res.json({});
  });

  router.get('/accounts/:email/events', (req, res) => {
    const account = existingAccount(state, req);
    const showDeleted = req.query['showDeleted'] === 'true';
    const origin = requestOrigin(req);
    const items = [...account.calendar.events.values()]
      .filter((event) => showDeleted || event.status !== 'cancelled')
      .sort((a, b) => a.order - b.order)
      .map((event) => toEventResource(event, account.email, origin));
    res.json({ items });
  });

  // "The user" edits their own calendar: used by two-way sync tests.
  router.post('/accounts/:email/events', (req, res) => {
    const account = existingAccount(state, req);
    const event = insertEvent(account.calendar, req.body as unknown, state.now());
    res.status(201).json(toEventResource(event, account.email, requestOrigin(req)));
  });

  router.patch('/accounts/:email/events/:eventId', (req, res) => {
    const account = existingAccount(state, req);
    const event = patchEvent(account.calendar, eventIdParam(req), req.body as unknown, undefined, state.now());
    res.json(toEventResource(event, account.email, requestOrigin(req)));
  });

  router.delete('/accounts/:email/events/:eventId', (req, res) => {
    const account = existingAccount(state, req);
    deleteEvent(account.calendar, eventIdParam(req), undefined, state.now());
    res.status(204).end();
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
