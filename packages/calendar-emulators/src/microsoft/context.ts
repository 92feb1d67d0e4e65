import type { Request, RequestHandler } from 'express';
import { perRequest } from '../shared/context';
import type { RequestIds } from './errors';
import { newRequestId } from './ids';
import type { AccessTokenRecord } from './state';

// Per-request facts the middlewares hand to each other.

export interface RequestContext {
  /** The account the request acts for, once known (even if its token is no longer valid). */
  account?: string;
  /** Set by the auth middleware when the bearer token is valid. */
  accessToken?: AccessTokenRecord;
  /** Set by `assignRequestIds`. */
  ids?: RequestIds;
}

export const requestContext = perRequest<RequestContext>(() => ({}));

const CLIENT_REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Gives the request its ids and announces them in the response headers the way the
 * service does (`request-id` on Graph, `x-ms-request-id` on the identity platform),
 * echoing a well-formed `client-request-id` the caller sent.
 */
export function assignRequestIds(requestIdHeader: 'request-id' | 'x-ms-request-id'): RequestHandler {
  return (req, res, next) => {
    const requestId = newRequestId();
    const sent = req.get('client-request-id');
    const clientRequestId = sent && CLIENT_REQUEST_ID.test(sent) ? sent : requestId;
    requestContext(req).ids = { requestId, clientRequestId, at: new Date() };
    res.set({ [requestIdHeader]: requestId, 'client-request-id': clientRequestId });
    next();
  };
}

/** The request's ids (fresh ones if `assignRequestIds` did not run). */
export function requestIds(req: Request): RequestIds {
  const context = requestContext(req);
  context.ids ??= { requestId: newRequestId(), clientRequestId: newRequestId(), at: new Date() };
  return context.ids;
}
