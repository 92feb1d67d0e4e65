import type { RequestHandler } from 'express';
import { apiErrors, sendGoogleError } from './errors';
import { requestContext } from './context';
import { findAccount, type SandboxState } from './state';

/** Must run after authentication: the limit is per account. */
export function perUserRateLimit(state: SandboxState): RequestHandler {
  return (req, res, next) => {
    const { perUserPerMinute, perUserWindowSeconds } = state.config;
    const email = requestContext(req).account;
    if (perUserPerMinute <= 0 || email === undefined) return next();
    const windowMs = perUserWindowSeconds * 1000;
    // At least one request per window, or a low rate in a short window would refuse everything.
    const limit = Math.max(1, Math.floor((perUserPerMinute * perUserWindowSeconds) / 60));
    if (state.rateLimiter.tryAcquire(email, limit, state.now(), windowMs)) return next();
    const account = findAccount(state, email);
    if (account) account.stats.rateLimited += 1;
    sendGoogleError(res, apiErrors.userRateLimitExceeded());
  };
}
