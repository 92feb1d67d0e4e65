import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import {
  ControlError,
  controlErrorHandler,
  emailSchema,
  parseInput,
  registerFaultRoutes,
  unknownControlRoute,
} from '../shared/control';
import { routeParam } from '../shared/http';
import {
  checkAuthorizationRequest,
  expireAccessTokens,
  expireRefreshTokens,
  issueAuthorizationCode,
  revokeAccount,
} from './oauth-grants';
import { DEFAULT_SCOPE } from './scopes';
import { findAccount, getOrCreateAccount, resetMicrosoftState, type Account, type MicrosoftSandboxState } from './state';
import { snapshotStats } from './stats';
import type { MicrosoftAccountInput, MicrosoftAccountView, MicrosoftAuthorizeInput, MicrosoftSandboxConfig } from './types';

// The /sandbox control API: what tests and the README tour use to set the scene.
// It does not exist at Microsoft, needs no auth, and is never counted or faulted.

const accountSchema = z.strictObject({
  email: emailSchema,
  displayName: z.string().trim().min(1).max(256).optional(),
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
}) satisfies z.ZodType<Partial<MicrosoftSandboxConfig>>;

function accountView(account: Account): MicrosoftAccountView {
  return {
    email: account.email,
    id: account.id,
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

export function controlRouter(state: MicrosoftSandboxState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  router.post('/accounts', (req, res) => {
    const input = parseInput(accountSchema, req.body);
    res.json(accountView(getOrCreateAccount(state, input.email, input.displayName)));
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

  registerFaultRoutes(router, state);

  router.post('/reset', (_req, res) => {
    resetMicrosoftState(state);
    res.json({});
  });

  router.use(unknownControlRoute);
  router.use(controlErrorHandler());
  return router;
}
