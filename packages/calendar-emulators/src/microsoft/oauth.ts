import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import { isPlausibleEmail } from '../shared/email';
import { clientCredentials, formField as field, isBodyParseError, redirectBack, routeParam, searchParams, sendHtml } from '../shared/http';
import { DEFAULT_LOGIN_EMAIL, renderConsentPage, type ConsentFields } from './consent-page';
import { assignRequestIds, requestContext, requestIds } from './context';
import { AadError, aadErrors } from './errors';
import { injectFaults } from './faults';
import { aadErrorPage } from './html';
import {
  accountForTokenParams,
  authenticateClient,
  checkAuthorizationRequest,
  exchangeAuthorizationCode,
  isValidTenant,
  issueAuthorizationCode,
  refreshAccessToken,
  type AuthorizationCheck,
  type RawAuthorizationRequest,
} from './oauth-grants';
import type { MicrosoftSandboxState } from './state';
import { countRequests } from './stats';

// The Microsoft identity platform's v2.0 endpoints under a tenant, like
// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize and /token.
// There is no revoke endpoint: apps cannot revoke refresh tokens at Microsoft; the
// control API revokes instead.

const AUTHORIZE = '/:tenant/oauth2/v2.0/authorize';
const TOKEN = '/:tenant/oauth2/v2.0/token';

type Getter = (name: string) => string | undefined;

function tenantOf(req: Request): string {
  return routeParam(req, 'tenant') ?? '';
}

function rawAuthorization(tenant: string, get: Getter): RawAuthorizationRequest {
  return {
    tenant,
    clientId: get('client_id'),
    redirectUri: get('redirect_uri'),
    responseType: get('response_type'),
    responseMode: get('response_mode'),
    scope: get('scope'),
    prompt: get('prompt'),
    codeChallenge: get('code_challenge'),
    codeChallengeMethod: get('code_challenge_method'),
  };
}

function consentFields(get: Getter, scope: string): ConsentFields {
  const fields: ConsentFields = {
    client_id: get('client_id') ?? '',
    redirect_uri: get('redirect_uri') ?? '',
    response_type: get('response_type') ?? 'code',
    scope,
  };
  for (const name of ['state', 'response_mode', 'code_challenge', 'code_challenge_method'] as const) {
    const value = get(name);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/** A refused authorization request: an error page, or error parameters sent back to the app. */
function refuse(req: Request, res: Response, check: Exclude<AuthorizationCheck, { ok: true }>, state: string | undefined): void {
  if (check.show === 'page') {
    sendHtml(res, check.error.status, aadErrorPage(check.error, requestIds(req)));
    return;
  }
  redirectBack(res, check.redirectUri, { error: check.error.error, error_description: check.error.description, state });
}

function identifyTokenCaller(state: MicrosoftSandboxState): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    const account = accountForTokenParams(state, { code: field(body, 'code'), refreshToken: field(body, 'refresh_token') });
    if (account !== undefined) requestContext(req).account = account;
    next();
  };
}

const aadErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  const aad =
    error instanceof AadError ? error : isBodyParseError(error) ? aadErrors.malformed('The request body could not be read.') : undefined;
  if (!aad) return next(error);
  res
    .status(aad.status)
    .set('Cache-Control', 'no-store')
    .json(aad.toBody(requestIds(req)));
};

export function oauthRouter(state: MicrosoftSandboxState): Router {
  const router = express.Router();
  // The token endpoint reads form posts only, as AAD does (a JSON body has no grant_type).
  const parseForm = express.urlencoded({ extended: false, limit: '64kb' });
  const ids = assignRequestIds('x-ms-request-id');
  const count = countRequests(state);

  router.get(AUTHORIZE, ids, count, (req, res) => {
    const params = searchParams(req);
    const get: Getter = (name) => params.get(name) || undefined;
    const tenant = tenantOf(req);
    const check = checkAuthorizationRequest(state, rawAuthorization(tenant, get));
    if (!check.ok) return refuse(req, res, check, get('state'));
    const fields = consentFields(get, check.request.scope);
    sendHtml(res, 200, renderConsentPage({ tenant, fields, email: get('login_hint') ?? DEFAULT_LOGIN_EMAIL }));
  });

  router.post(`${AUTHORIZE}/consent`, parseForm, ids, count, (req, res) => {
    const body: unknown = req.body;
    const get: Getter = (name) => field(body, name);
    const tenant = tenantOf(req);
    const check = checkAuthorizationRequest(state, rawAuthorization(tenant, get));
    if (!check.ok) return refuse(req, res, check, get('state'));
    const { request } = check;
    if (get('decision') !== 'accept') {
      const declined = aadErrors.userDeclined();
      return redirectBack(res, request.redirectUri, {
        error: declined.error,
        error_description: declined.description,
        state: get('state'),
      });
    }
    const email = get('email')?.trim() ?? '';
    if (!isPlausibleEmail(email)) {
      const fields = consentFields(get, request.scope);
      return sendHtml(res, 400, renderConsentPage({ tenant, fields, email, error: 'Enter a valid email address.' }));
    }
    const code = issueAuthorizationCode(state, email, request);
    redirectBack(res, request.redirectUri, { code, state: get('state') });
  });

  router.post(TOKEN, parseForm, ids, identifyTokenCaller(state), count, injectFaults(state, 'token'), (req, res) => {
    const tenant = tenantOf(req);
    if (!isValidTenant(tenant)) throw aadErrors.tenantNotFound(tenant);
    const body: unknown = req.body;
    const grantType = field(body, 'grant_type');
    if (!grantType) throw aadErrors.missing('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw aadErrors.unsupportedGrant(grantType);
    const credentials = clientCredentials(req, () => aadErrors.malformed('The Authorization header is not valid HTTP Basic.'));
    const client = authenticateClient(state, tenant, credentials);
    const tokens =
      grantType === 'authorization_code'
        ? exchangeAuthorizationCode(state, client, {
            code: field(body, 'code'),
            redirectUri: field(body, 'redirect_uri'),
            codeVerifier: field(body, 'code_verifier'),
            scope: field(body, 'scope'),
          })
        : refreshAccessToken(state, client, { refreshToken: field(body, 'refresh_token'), scope: field(body, 'scope') });
    res.set({ 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }).json(tokens);
  });

  router.use(aadErrorHandler);
  return router;
}
