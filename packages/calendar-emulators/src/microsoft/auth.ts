import type { Request, RequestHandler } from 'express';
import { requestContext } from './context';
import { graphErrors, type GraphApiError } from './errors';
import { validAccessToken } from './oauth-grants';
import { grantsAny } from './scopes';
import type { MicrosoftSandboxState } from './state';

/** The bearer token of the Authorization header (Graph accepts no other place). */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Notes who the request is for before anything else, so stats and faults can match it. */
export function identifyCaller(state: MicrosoftSandboxState): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req);
    const record = token === undefined ? undefined : state.accessTokens.get(token);
    if (record) requestContext(req).account = record.email;
    next();
  };
}

/** 401 InvalidAuthenticationToken for a missing, unknown, expired or revoked token. */
export function requireAccessToken(state: MicrosoftSandboxState): RequestHandler {
  return (req, _res, next) => {
    const record = validAccessToken(state, bearerToken(req));
    if (!record) throw graphErrors.invalidToken();
    const context = requestContext(req);
    context.accessToken = record;
    context.account = record.email;
    next();
  };
}

/**
 * 403 unless the token carries one of the permissions: Authorization_RequestDenied (the
 * directory's answer, the default) or what `denied` makes (Outlook's ErrorAccessDenied).
 */
export function requirePermission(permissions: readonly string[], denied: () => GraphApiError = graphErrors.accessDenied): RequestHandler {
  return (req, _res, next) => {
    const token = requestContext(req).accessToken;
    if (!token || !grantsAny(token.scope, permissions)) throw denied();
    next();
  };
}
