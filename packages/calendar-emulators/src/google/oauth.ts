import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import { isPlausibleEmail } from '../shared/email';
import {
  clientCredentials as sharedClientCredentials,
  formField as field,
  isBodyParseError,
  redirectBack,
  sendHtml,
  type ClientCredentials,
} from '../shared/http';
import { DEFAULT_LOGIN_EMAIL, renderConsentPage, type ConsentFields } from './consent-page';
import { requestContext, searchParams } from './context';
import { OAuthError, oauthErrors } from './errors';
import { injectFaults } from './faults';
import { errorPage } from './html';
import {
  accountForOAuthParams,
  authenticateClient,
  checkAuthorizationRequest,
  exchangeAuthorizationCode,
  issueAuthorizationCode,
  refreshAccessToken,
  revokeToken,
  type RawAuthorizationRequest,
} from './oauth-grants';
import type { SandboxState } from './state';
import { countRequests } from './stats';

// Google's OAuth endpoints: the consent page (accounts.google.com/o/oauth2/v2/auth)
// and the token and revoke endpoints (oauth2.googleapis.com/token, /revoke).

function rawAuthorization(get: (name: string) => string | undefined): RawAuthorizationRequest {
  return {
    clientId: get('client_id'),
    redirectUri: get('redirect_uri'),
    responseType: get('response_type'),
    scope: get('scope'),
    accessType: get('access_type'),
    codeChallenge: get('code_challenge'),
    codeChallengeMethod: get('code_challenge_method'),
  };
}

function consentFields(get: (name: string) => string | undefined, scope: string, accessType: string): ConsentFields {
  const fields: ConsentFields = {
    client_id: get('client_id') ?? '',
    redirect_uri: get('redirect_uri') ?? '',
    scope,
    access_type: accessType,
  };
  for (const name of ['state', 'response_type', 'code_challenge', 'code_challenge_method'] as const) {
    const value = get(name);
    if (value !== undefined) fields[name] = value;
  }
  return fields;
}

/** Client credentials from HTTP Basic or the body; an undecodable Basic header is a bad secret. */
function clientCredentials(req: Request): ClientCredentials {
  return sharedClientCredentials(req, oauthErrors.badClientSecret);
}

function identifyOAuthCaller(state: SandboxState): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    const account = accountForOAuthParams(state, {
      code: field(body, 'code'),
      refreshToken: field(body, 'refresh_token'),
      token: field(body, 'token') ?? searchParams(req).get('token') ?? undefined,
    });
    if (account !== undefined) requestContext(req).account = account;
    next();
  };
}

const oauthErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (error instanceof OAuthError) {
    res.status(error.status).set('Cache-Control', 'no-store').json(error.toBody());
    return;
  }
  if (isBodyParseError(error)) {
    res.status(400).json({ error: 'invalid_request', error_description: 'Malformed request body.' });
    return;
  }
  next(error);
};

/** The requested scopes the user left ticked, in the order asked. */
function grantedSubset(requested: string, ticked: string): string {
  const keep = new Set(ticked.split(/\s+/).filter(Boolean));
  return requested
    .split(/\s+/)
    .filter((scope) => keep.has(scope))
    .join(' ');
}

export function oauthRouter(state: SandboxState): Router {
  const router = express.Router();
  const parseBody = [express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' })];
  const count = countRequests(state);

  router.get('/o/oauth2/v2/auth', count, (req, res) => {
    const params = searchParams(req);
    const get = (name: string): string | undefined => params.get(name) || undefined;
    const check = checkAuthorizationRequest(state, rawAuthorization(get), { accessType: 'online' });
    if (!check.ok) return sendHtml(res, 400, errorPage(check.error, check.message));
    const fields = consentFields(get, check.request.scope, check.request.accessType);
    sendHtml(res, 200, renderConsentPage({ fields, email: get('login_hint') ?? DEFAULT_LOGIN_EMAIL }));
  });

  router.post('/o/oauth2/v2/auth/decision', ...parseBody, count, (req, res) => {
    const body: unknown = req.body;
    const get = (name: string): string | undefined => field(body, name);
    const check = checkAuthorizationRequest(state, rawAuthorization(get), { accessType: 'online' });
    if (!check.ok) return sendHtml(res, 400, errorPage(check.error, check.message));
    const { request } = check;
    if (get('decision') !== 'allow') {
      return redirectBack(res, request.redirectUri, { error: 'access_denied', state: get('state') });
    }
    const email = get('email')?.trim() ?? '';
    if (!isPlausibleEmail(email)) {
      const fields = consentFields(get, request.scope, request.accessType);
      return sendHtml(res, 400, renderConsentPage({ fields, email, error: 'Enter a valid e-mail address.' }));
    }
    // Granular consent: Google lets the user untick scopes; `granted_scope` (space-separated) says
    // which of the requested ones stayed ticked. Without it, all of them did.
    const ticked = get('granted_scope');
    const granted = ticked === undefined ? request : { ...request, scope: grantedSubset(request.scope, ticked) };
    const code = issueAuthorizationCode(state, email, granted);
    redirectBack(res, request.redirectUri, { code, scope: granted.scope, state: get('state') });
  });

  router.post('/token', ...parseBody, identifyOAuthCaller(state), count, injectFaults(state, 'oauth'), (req, res) => {
    const body: unknown = req.body;
    const grantType = field(body, 'grant_type');
    if (!grantType) throw oauthErrors.missing('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw oauthErrors.unsupportedGrant(grantType);
    const client = authenticateClient(state, clientCredentials(req));
    const tokens =
      grantType === 'authorization_code'
        ? exchangeAuthorizationCode(state, client, {
            code: field(body, 'code'),
            redirectUri: field(body, 'redirect_uri'),
            codeVerifier: field(body, 'code_verifier'),
          })
        : refreshAccessToken(state, client, { refreshToken: field(body, 'refresh_token') });
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(tokens);
  });

  router.post('/revoke', ...parseBody, identifyOAuthCaller(state), count, (req, res) => {
    const token = searchParams(req).get('token') || field(req.body as unknown, 'token');
    if (!token) throw oauthErrors.missing('token');
    if (!revokeToken(state, token)) {
      res.status(400).json({ error: 'invalid_token', error_description: 'Token expired or revoked' });
      return;
    }
    res.status(200).json({});
  });

  router.use(oauthErrorHandler);
  return router;
}
