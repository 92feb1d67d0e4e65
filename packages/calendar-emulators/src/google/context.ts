import { perRequest } from '../shared/context';
import type { AccessTokenRecord } from './state';

export { requestOrigin, searchParams } from '../shared/http';

// Per-request facts the middlewares hand to each other.

export interface RequestContext {
  /** The account the request acts for, once known (even if its token is no longer valid). */
  account?: string;
  /** Set by the auth middleware when the bearer token is valid. */
  accessToken?: AccessTokenRecord;
}

export const requestContext = perRequest<RequestContext>(() => ({}));
