import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ApiError } from './errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Recognises the API keys (API_KEYS) presented as `Authorization: Bearer <key>`. */
export interface ApiKeyMatcher {
  /** The presented bearer's digest (hex) when it is one of the keys, else undefined. */
  keyOf(req: Request): string | undefined;
  /** Whether the request carries a bearer at all. */
  hasBearer(req: Request): boolean;
}

/**
 * Keys are compared as SHA-256 digests in constant time, so neither content nor length leaks
 * through timing.
 */
export function apiKeyMatcher(apiKeys: string[]): ApiKeyMatcher {
  const known = apiKeys.map(digest);
  const bearerOf = (req: Request) => /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  return {
    hasBearer: (req) => bearerOf(req) !== undefined,
    keyOf(req) {
      const bearer = bearerOf(req);
      if (bearer === undefined) return undefined;
      const presented = digest(bearer);
      let ok = false;
      for (const k of known) ok = timingSafeEqual(k, presented) || ok;
      return ok ? presented.toString('hex') : undefined;
    },
  };
}

/** `Authorization: Bearer <key>` with one of API_KEYS. */
export function requireApiKey(apiKeys: string[]): RequestHandler {
  const keys = apiKeyMatcher(apiKeys);
  return (req, _res, next) => {
    if (!keys.hasBearer(req)) return next(new ApiError(401, 'unauthorized', 'missing bearer API key (Authorization: Bearer <key>)'));
    if (!keys.keyOf(req)) return next(new ApiError(401, 'unauthorized', 'invalid API key'));
    next();
  };
}
