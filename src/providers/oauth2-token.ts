import { requestSignal } from './request-signal';
import { parseRetryAfter } from './retry-after';
import { ProviderError, type TokenSet } from './types';

const TIMEOUT_MS = 15_000;

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  scope?: unknown;
  id_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * One OAuth 2.0 token-endpoint call (RFC 6749 §4.1.3 / §6), shared by every OAuth provider.
 * Failures become typed ProviderErrors whose messages carry the endpoint's error code and
 * description only, never the grant or tokens.
 */
export async function requestToken(
  tokenUrl: string,
  client: ClientCredentials,
  params: Record<string, string>,
  now: () => number = Date.now,
  /** The caller's cancellation: it ends the request too. */
  cancel?: AbortSignal,
): Promise<TokenSet> {
  let res: Response;
  try {
    res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...params, client_id: client.clientId, client_secret: client.clientSecret }),
      signal: requestSignal(TIMEOUT_MS, cancel),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    const code = typeof cause === 'string' || typeof cause === 'number' ? cause : err instanceof Error ? err.name : 'Error';
    throw new ProviderError('transient', `token endpoint unreachable (${code})`);
  }
  let body: TokenResponse = {};
  try {
    body = (await res.json()) as TokenResponse;
  } catch {
    // Non-JSON error pages (proxies, 5xx) are handled by status below.
  }
  if (!res.ok) {
    const error = typeof body.error === 'string' ? body.error : undefined;
    const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 300) : '';
    const message = `token endpoint ${res.status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`;
    const details = { status: res.status, reason: error, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
    if (error === 'invalid_grant') throw new ProviderError('invalid_grant', message, details);
    if (res.status === 429) throw new ProviderError('rate_limited', message, details);
    if (res.status >= 500 || res.status === 408) throw new ProviderError('transient', message, details);
    throw new ProviderError('rejected', message, details);
  }
  if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
    throw new ProviderError('transient', 'token endpoint answered without an access_token');
  }
  // Use the lifetime the provider states, not a constant; 1 h if it says nothing.
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600) || 3600;
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' && body.refresh_token.length > 0 ? body.refresh_token : undefined,
    expiresAt: new Date(now() + expiresIn * 1000),
    ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
    ...(typeof body.id_token === 'string' && body.id_token.length > 0 ? { idToken: body.id_token } : {}),
  };
}
