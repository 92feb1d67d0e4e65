import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
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
  isPlausibleEmail,
  issueAuthorizationCode,
  refreshAccessToken,
  revokeToken,
  type ClientCredentials,
  type RawAuthorizationRequest,
} from './oauth-grants';
import type { SandboxState } from './state';
import { countRequests } from './stats';

// Google's OAuth endpoints: the consent page (accounts.google.com/o/oauth2/v2/auth)
// and the token and revoke endpoints (oauth2.googleapis.com/token, /revoke).

/** A string field of a form or JSON body; Express types bodies as `any`. */
function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

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

function sendHtml(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    })
    .send(html);
}

function redirectBack(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) target.searchParams.set(name, value);
  }
  res.redirect(302, target.toString());
}

/** Client credentials from HTTP Basic (form-encoded parts, RFC 6749 §2.3.1) or the body. */
function clientCredentials(req: Request): ClientCredentials {
  const header = req.get('authorization');
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (match?.[1]) {
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        const formDecode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '));
        return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
      } catch {
        throw oauthErrors.badClientSecret();
      }
    }
  }
  return { clientId: field(req.body, 'client_id'), clientSecret: field(req.body, 'client_secret') };
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
  if (typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_request', error_description: 'Malformed request body.' });
    return;
  }
  next(error);
};

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
    const code = issueAuthorizationCode(state, email, request);
    redirectBack(res, request.redirectUri, { code, scope: request.scope, state: get('state') });
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
