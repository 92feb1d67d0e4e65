import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { crossSiteRefusedPage } from './pages/browser-pages';

/**
 * The names of the browser cookies. `__Host-` makes the browser refuse them unless Secure,
 * host-only and for Path=/: no sibling subdomain can plant or shadow them. Browsers treat
 * http://localhost and http://127.0.0.1 as secure for this (Chromium and Firefox do), so
 * development over plain http on the loopback keeps the same names.
 */
export const SESSION_COOKIE = '__Host-settings-session';
export const CONNECT_COOKIE = '__Host-connect-browser';

/** A cookie's value from the request, or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Sets an HttpOnly, Secure, host-only cookie for Path=/. `partitioned` (CHIPS): a browser keeps
 * it apart for each top-level site it is used under, so a frame on one site never sees the
 * cookie of the same page framed by another, or opened on its own.
 */
export function setCookie(
  res: Response,
  name: string,
  value: string,
  opts: { maxAgeMs: number; sameSite: 'strict' | 'lax' | 'none'; partitioned?: boolean },
): void {
  res.cookie(name, value, {
    httpOnly: true,
    secure: true,
    sameSite: opts.sameSite,
    path: '/',
    maxAge: opts.maxAgeMs,
    ...(opts.partitioned ? { partitioned: true } : {}),
  });
}

/**
 * Refuses a state-changing request a page on another site (or another origin of this site)
 * made the browser send: `Sec-Fetch-Site` must say same-origin when the browser sends it;
 * without it, `Origin` must be this service's; with neither the request is refused.
 */
export function sameOriginOnly(publicBaseUrl: string): RequestHandler {
  const ownOrigin = new URL(publicBaseUrl).origin;
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const allowed = site !== undefined ? site === 'same-origin' : origin === ownOrigin;
    if (allowed) return next();
    res.status(403).type('html').send(crossSiteRefusedPage());
  };
}

const NONCE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The nonce that binds connect flows to this browser: the one its cookie already holds (so two
 * flows started in two tabs both complete), else a new one; the cookie is (re)set either way.
 * SameSite=Lax: the provider's redirect to the callback is a cross-site top-level navigation.
 */
export function connectBrowserNonce(req: Request, res: Response, maxAgeMs: number): string {
  const held = readCookie(req, CONNECT_COOKIE);
  const nonce = held && NONCE.test(held) ? held : randomBytes(32).toString('base64url');
  setCookie(res, CONNECT_COOKIE, nonce, { maxAgeMs, sameSite: 'lax' });
  return nonce;
}
