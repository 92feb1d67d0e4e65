import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import helmet, { contentSecurityPolicy } from 'helmet';
import type { AppConfig } from '../config';
import { apiKeyMatcher } from './auth';
import { ApiError } from './errors';
import { COPY_LINK_HANDLER } from './pages/feed-link-section';
import { DISCONNECT_CONFIRM_HANDLER } from './pages/account-card';
import { LOCAL_TIME_SCRIPT } from './pages/time-format';

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function originOf(url: string): string {
  return new URL(url).origin;
}

/** The pages' Content-Security-Policy, `frameAncestors` the only part that differs between them. */
function cspDirectives(config: Pick<AppConfig, 'google' | 'microsoft'>, frameAncestors: string[]) {
  return {
    defaultSrc: ["'none'"],
    styleSrc: ["'unsafe-inline'"],
    scriptSrc: [
      "'unsafe-hashes'",
      sha256Source(DISCONNECT_CONFIRM_HANDLER),
      sha256Source(COPY_LINK_HANDLER),
      sha256Source(LOCAL_TIME_SCRIPT),
    ],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'", originOf(config.google.authUrl), originOf(config.microsoft.loginUrl)],
    frameAncestors,
    baseUri: ["'none'"],
  };
}

/**
 * Security headers on every response (helmet). The pages are self-contained: inline CSS, no
 * scripts but two inline handlers and one inline script (times in the browser's zone) allowed by their hashes, forms that post to this service and may
 * be redirected on to the OAuth providers' consent pages, never framed (the settings pages may
 * be: see `settingsFraming`).
 */
export function securityHeaders(config: Pick<AppConfig, 'google' | 'microsoft'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(config, ["'none'"]) },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/**
 * Who may frame the settings pages: nobody (X-Frame-Options DENY on top of `frame-ancestors
 * 'none'`), or the SETTINGS_FRAME_ANCESTORS origins: the same policy with them as its
 * frame-ancestors and no X-Frame-Options (it cannot name an origin, and would forbid them).
 */
export function settingsFraming(config: Pick<AppConfig, 'google' | 'microsoft' | 'settingsFrameAncestors'>): RequestHandler {
  if (config.settingsFrameAncestors.length === 0) {
    return (_req, res, next) => {
      res.set('X-Frame-Options', 'DENY');
      next();
    };
  }
  const policy = contentSecurityPolicy({ useDefaults: false, directives: cspDirectives(config, config.settingsFrameAncestors) });
  return (req, res, next) => {
    res.removeHeader('X-Frame-Options');
    policy(req, res, next);
  };
}

/**
 * Never limited: what a load balancer polls (/readyz answers from a short cache), and the
 * providers' change notifications (a few provider addresses speak for every user; each is
 * verified cheaply, and a refused one would just be lost). /metrics on the API's port is
 * limited like any page: a scraper needs a few requests a minute.
 */
const UNLIMITED = new Set(['/healthz', '/readyz', '/v1/webhooks/google', '/v1/webhooks/microsoft', '/v1/webhooks/microsoft/lifecycle']);

/**
 * Per-client request limit: a fixed window of one minute, keyed by the API key (as a digest)
 * for the booking system, by address for browsers and webhooks. Over the limit: 429 with
 * Retry-After. Counts are per API process; with N processes the effective limit is N times.
 */
export function rateLimiter(perMinute: number, apiKeys: string[]): RequestHandler {
  const keys = apiKeyMatcher(apiKeys);
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => perMinute === 0 || UNLIMITED.has(req.path),
    keyGenerator: (req) => {
      // Only a real key gets its own budget: a made-up bearer must not buy a fresh one.
      const key = keys.keyOf(req);
      return key ? `key:${key}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    handler: (req, res, next) => {
      const reset = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
      res.set('Retry-After', String(seconds));
      next(new ApiError(429, 'rate_limited', `too many requests: at most ${perMinute} a minute; retry after ${seconds} s`));
    },
  });
}
