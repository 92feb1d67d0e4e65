import { randomBytes } from 'node:crypto';

/** An unguessable opaque token (codes, tokens, page and sync tokens). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
