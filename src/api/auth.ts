import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * `Authorization: Bearer <key>` with one of API_KEYS. Keys are compared as SHA-256 digests in
 * constant time, so neither content nor length leaks through timing.
 */
export function requireApiKey(apiKeys: string[]): RequestHandler {
  const known = apiKeys.map(digest);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new ApiError(401, 'unauthorized', 'missing bearer API key (Authorization: Bearer <key>)'));
    const presented = digest(match[1]!);
    let ok = false;
    for (const k of known) ok = timingSafeEqual(k, presented) || ok;
    if (!ok) return next(new ApiError(401, 'unauthorized', 'invalid API key'));
    next();
  };
}
