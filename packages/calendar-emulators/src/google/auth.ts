import type { Request, RequestHandler } from 'express';
import { requestContext, searchParams } from './context';
import { InsufficientScopeError, sendGoogleError, unauthenticatedBody } from './errors';
import { validAccessToken } from './oauth-grants';
import { scopeAllows, type ApiMethod } from './scopes';
import type { SandboxState } from './state';

/** The bearer token from the Authorization header (or `access_token`, which Google also accepts). */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return searchParams(req).get('access_token') ?? undefined;
}

/** Notes who the request is for before anything else, so stats and faults can match it. */
export function identifyCaller(state: SandboxState): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    const record = token === undefined ? undefined : state.accessTokens.get(token);
    if (record) requestContext(req).account = record.email;
    next();
  };
}

export function requireAccessToken(state: SandboxState): RequestHandler {
  return (req, res, next) => {
    const record = validAccessToken(state, bearerToken(req));
    if (!record) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"')
        .json(unauthenticatedBody());
      return;
    }
    const context = requestContext(req);
    context.accessToken = record;
    context.account = record.email;
    next();
  };
}

export function requireScope(state: SandboxState, method: ApiMethod): RequestHandler {
  return (req, res, next) => {
    const token = requestContext(req).accessToken;
    if (!state.config.enforceScopes || (token && scopeAllows(token.scope, method))) return next();
    sendGoogleError(res, new InsufficientScopeError(method));
  };
}
