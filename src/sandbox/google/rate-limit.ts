import type { RequestHandler } from 'express';
import { apiErrors, sendGoogleError } from './errors';
import { requestContext } from './context';
import { findAccount, type SandboxState } from './state';

/** Must run after authentication: the limit is per account. */
export function perUserRateLimit(state: SandboxState): RequestHandler {
  return (req, res, next) => {
    const limit = state.config.perUserPerMinute;
    const email = requestContext(req).account;
    if (limit <= 0 || email === undefined) return next();
    if (state.rateLimiter.tryAcquire(email, limit, state.now())) return next();
    const account = findAccount(state, email);
    if (account) account.stats.rateLimited += 1;
    sendGoogleError(res, apiErrors.userRateLimitExceeded());
  };
}
