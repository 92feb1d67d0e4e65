import type { Request } from 'express';
import type { AccessTokenRecord } from './state';

// Per-request facts the middlewares hand to each other, kept off `res.locals`
// (which is `any`) so the handlers stay typed.

export interface RequestContext {
  /** The account the request acts for, once known (even if its token is no longer valid). */
  account?: string;
  /** Set by the auth middleware when the bearer token is valid. */
  accessToken?: AccessTokenRecord;
}

const contexts = new WeakMap<Request, RequestContext>();

export function requestContext(req: Request): RequestContext {
  let context = contexts.get(req);
  if (!context) {
    context = {};
    contexts.set(req, context);
  }
  return context;
}

/** `http://host:port` as the client addressed us, for links inside resources. */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The query string as URLSearchParams: repeated parameters stay repeated and typed. */
export function searchParams(req: Request): URLSearchParams {
  const index = req.originalUrl.indexOf('?');
  return new URLSearchParams(index === -1 ? '' : req.originalUrl.slice(index + 1));
}
