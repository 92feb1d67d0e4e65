import type { RequestHandler } from 'express';
import { bearerToken } from './auth';
import { requestContext } from './context';
import { graphErrors } from './errors';
import { validAccessToken } from './oauth-grants';
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

/** Mailbox resources: what Outlook's MailboxConcurrency limit covers (not /me, a directory object). */
const MAILBOX_PATH = /^\/(me|users\/[^/]+)\/(events|calendar|calendars|calendarview)(\/|$)/i;

/** Graph's Retry-After for a MailboxConcurrency 429: a request in flight usually ends within a second. */
const CONCURRENCY_RETRY_AFTER_SECONDS = 1;

/**
 * Outlook's per-app-per-mailbox concurrency limit (4 requests in flight): one more gets 429
 * ApplicationThrottled "MailboxConcurrency". Runs before fault injection, so a request held
 * up by a `latencyMs` fault occupies its slot the way a slow request at Graph does; its slot
 * frees when the response ends or the connection closes. Requests whose token is not valid
 * are left to the 401 of authentication and take no slot.
 */
export function mailboxConcurrencyLimit(state: MicrosoftSandboxState): RequestHandler {
  return (req, res, next) => {
    const limit = state.config.mailboxConcurrentRequests;
    if (limit <= 0 || !MAILBOX_PATH.test(req.path)) return next();
    const token = validAccessToken(state, bearerToken(req));
    if (!token) return next();
    const key = `${token.clientId}\n${token.email}`;
    const inFlight = state.inFlight.get(key) ?? 0;
    if (inFlight >= limit) {
      const account = findAccount(state, token.email);
      if (account) account.stats.concurrencyRejected += 1;
      throw graphErrors.mailboxConcurrency(CONCURRENCY_RETRY_AFTER_SECONDS);
    }
    state.inFlight.set(key, inFlight + 1);
    let released = false;
    res.once('close', () => {
      if (released) return;
      released = true;
      const remaining = (state.inFlight.get(key) ?? 1) - 1;
      if (remaining > 0) state.inFlight.set(key, remaining);
      else state.inFlight.delete(key);
    });
    next();
  };
}
