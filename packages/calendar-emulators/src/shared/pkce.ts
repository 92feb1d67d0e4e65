import { createHash } from 'node:crypto';
import type { CodeChallengeMethod } from './types';

// PKCE (RFC 7636), checked the same way by every provider; each maps the outcome
// to its own error shape.

/** Both the verifier and a plain challenge: 43–128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface CodeChallenge {
  codeChallenge: string;
  codeChallengeMethod: CodeChallengeMethod;
}

export type CodeChallengeCheck = { ok: true; challenge?: CodeChallenge } | { ok: false; message: string };

export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Validates the authorization request's PKCE parameters; none at all is fine. */
export function parseCodeChallenge(challenge: string | undefined, method: string | undefined): CodeChallengeCheck {
  if (challenge === undefined) {
    return method === undefined ? { ok: true } : { ok: false, message: 'code_challenge_method requires a code_challenge' };
  }
  // RFC 7636: the method defaults to plain.
  const resolved = method ?? 'plain';
  if (resolved !== 'S256' && resolved !== 'plain') return { ok: false, message: `Invalid code_challenge_method: ${resolved}` };
  if (!PKCE_VALUE.test(challenge)) return { ok: false, message: 'Invalid code_challenge' };
  return { ok: true, challenge: { codeChallenge: challenge, codeChallengeMethod: resolved } };
}

export type CodeVerifierCheck = 'ok' | 'missing' | 'mismatch';

/** Checks the token request's code_verifier against the challenge the code was bound to (if any). */
export function checkCodeVerifier(bound: Partial<CodeChallenge>, verifier: string | undefined): CodeVerifierCheck {
  if (bound.codeChallenge === undefined) return 'ok';
  if (!verifier) return 'missing';
  const expected = bound.codeChallengeMethod === 'S256' ? sha256Base64Url(verifier) : verifier;
  return PKCE_VALUE.test(verifier) && expected === bound.codeChallenge ? 'ok' : 'mismatch';
}
