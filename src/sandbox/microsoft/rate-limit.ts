import type { RequestHandler } from 'express';
import { requestContext } from './context';
import { graphErrors } from './errors';
import { findAccount, type MicrosoftSandboxState } from './state';

/**
 * Graph's per-app-per-mailbox limit (Outlook: 10,000 requests per 10 minutes): 429
 * TooManyRequests with the seconds until a slot frees up. Must run after authentication.
 */
export function mailboxRateLimit(state: MicrosoftSandboxState): RequestHandler {
  return (req, _res, next) => {
    const limit = state.config.mailboxRequestsPer10Minutes;
    const token = requestContext(req).accessToken;
    if (limit <= 0 || !token) return next();
    const key = `${token.clientId}\n${token.email}`;
    const now = state.now();
    if (state.mailboxLimiter.tryAcquire(key, limit, now)) return next();
    const account = findAccount(state, token.email);
    if (account) account.stats.throttled += 1;
    const waitSeconds = Math.max(1, Math.ceil(state.mailboxLimiter.retryAfterMs(key, limit, now) / 1000));
    throw graphErrors.throttled(waitSeconds);
  };
}
