import { isAbsoluteHttpUrl, type ClientCredentials } from '../shared/http';
import { randomToken } from '../shared/ids';
import { checkCodeVerifier, parseCodeChallenge } from '../shared/pkce';
import { oauthErrors } from './errors';
import {
  findAccount,
  getOrCreateAccount,
  normalizeEmail,
  type AccessTokenRecord,
  type AuthorizationCode,
  type ClientRegistration,
  type Grant,
  type SandboxState,
} from './state';
import type { AccessType, CodeChallengeMethod } from './types';

// Authorization codes, grants, refresh and access tokens, with Google's rules:
// single-use codes, PKCE, no refresh-token rotation, revocation of a whole grant.

const CODE_TTL_MS = 10 * 60 * 1000;

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  refresh_token?: string;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  accessType: AccessType;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

export interface RawAuthorizationRequest {
  clientId?: string;
  redirectUri?: string;
  responseType?: string;
  scope?: string;
  accessType?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

export type AuthorizationCheck = { ok: true; request: AuthorizationRequest } | { ok: false; error: string; message: string };

/**
 * The checks Google makes before showing its consent screen. Failures are shown to
 * the user, never redirected, because the redirect target itself is untrusted.
 */
export function checkAuthorizationRequest(
  state: SandboxState,
  raw: RawAuthorizationRequest,
  defaults: { accessType: AccessType; scope?: string },
): AuthorizationCheck {
  if (!raw.clientId) return { ok: false, error: 'invalid_request', message: 'Missing required parameter: client_id' };
  const client = state.clients.get(raw.clientId);
  if (!client) return { ok: false, error: 'invalid_client', message: 'The OAuth client was not found.' };
  if (!raw.redirectUri) {
    return { ok: false, error: 'invalid_request', message: 'Missing required parameter: redirect_uri' };
  }
  if (!isAbsoluteHttpUrl(raw.redirectUri)) {
    return { ok: false, error: 'invalid_request', message: 'Invalid parameter value for redirect_uri: not an absolute URI' };
  }
  if (client.redirectUris && !client.redirectUris.includes(raw.redirectUri)) {
    return {
      ok: false,
      error: 'redirect_uri_mismatch',
      message: `The redirect URI in the request, ${raw.redirectUri}, does not match the ones authorized for the OAuth client.`,
    };
  }
  if (raw.responseType !== undefined && raw.responseType !== 'code') {
    return { ok: false, error: 'unsupported_response_type', message: `Invalid response_type: ${raw.responseType}` };
  }
  const scope = (raw.scope ?? defaults.scope ?? '').trim().split(/\s+/).filter(Boolean).join(' ');
  if (!scope) return { ok: false, error: 'invalid_request', message: 'Missing required parameter: scope' };
  const accessType = raw.accessType ?? defaults.accessType;
  if (accessType !== 'online' && accessType !== 'offline') {
    return { ok: false, error: 'invalid_request', message: `Invalid access_type: ${accessType}` };
  }
  const request: AuthorizationRequest = { clientId: raw.clientId, redirectUri: raw.redirectUri, scope, accessType };
  const pkce = parseCodeChallenge(raw.codeChallenge, raw.codeChallengeMethod);
  if (!pkce.ok) return { ok: false, error: 'invalid_request', message: pkce.message };
  if (pkce.challenge) Object.assign(request, pkce.challenge);
  return { ok: true, request };
}

/** What "Allow" does: the account consents and the client gets a short-lived code. */
export function issueAuthorizationCode(state: SandboxState, email: string, request: AuthorizationRequest): string {
  const account = getOrCreateAccount(state, email);
  const code = `4/0sandbox-${randomToken(24)}`;
  const record: AuthorizationCode = {
    code,
    email: account.email,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    accessType: request.accessType,
    expiresAt: state.now() + CODE_TTL_MS,
    used: false,
  };
  if (request.codeChallenge !== undefined) record.codeChallenge = request.codeChallenge;
  if (request.codeChallengeMethod !== undefined) record.codeChallengeMethod = request.codeChallengeMethod;
  state.codes.set(code, record);
  return code;
}

export function authenticateClient(state: SandboxState, credentials: ClientCredentials): ClientRegistration {
  if (!credentials.clientId) throw oauthErrors.noClientId();
  const client = state.clients.get(credentials.clientId);
  if (!client) throw oauthErrors.unknownClient();
  if (credentials.clientSecret !== client.clientSecret) throw oauthErrors.badClientSecret();
  return client;
}

function mintAccessToken(state: SandboxState, grant: Grant): AccessTokenRecord {
  const record: AccessTokenRecord = {
    token: `ya29.sandbox-${randomToken(32)}`,
    grantId: grant.id,
    email: grant.email,
    scope: grant.scope,
    expiresAt: state.now() + state.config.accessTokenTtlSeconds * 1000,
  };
  state.accessTokens.set(record.token, record);
  return record;
}

function tokenResponse(state: SandboxState, access: AccessTokenRecord, refreshToken?: string): TokenResponse {
  const response: TokenResponse = {
    access_token: access.token,
    expires_in: state.config.accessTokenTtlSeconds,
    scope: access.scope,
    token_type: 'Bearer',
  };
  if (refreshToken !== undefined) response.refresh_token = refreshToken;
  return response;
}

function verifyPkce(code: AuthorizationCode, verifier: string | undefined): void {
  const check = checkCodeVerifier(code, verifier);
  if (check === 'missing') throw oauthErrors.missingVerifier();
  if (check === 'mismatch') throw oauthErrors.badVerifier();
}

export function exchangeAuthorizationCode(
  state: SandboxState,
  client: ClientRegistration,
  params: { code?: string; redirectUri?: string; codeVerifier?: string },
): TokenResponse {
  if (!params.code) throw oauthErrors.missing('code');
  const code = state.codes.get(params.code);
  if (!code) throw params.code.startsWith('4/') ? oauthErrors.badCode() : oauthErrors.malformedCode();
  if (code.used || code.expiresAt <= state.now()) throw oauthErrors.badCode();
  if (code.clientId !== client.clientId) throw oauthErrors.wrongClient();
  if (params.redirectUri !== code.redirectUri) throw oauthErrors.redirectMismatch();
  verifyPkce(code, params.codeVerifier);
  code.used = true;

  const grant: Grant = {
    id: randomToken(12),
    email: code.email,
    clientId: code.clientId,
    scope: code.scope,
    revoked: false,
  };
  // Google only hands out a refresh token for offline access.
  if (code.accessType === 'offline') {
    grant.refreshToken = `1//sandbox-${randomToken(32)}`;
    state.refreshTokens.set(grant.refreshToken, grant.id);
  }
  state.grants.set(grant.id, grant);
  return tokenResponse(state, mintAccessToken(state, grant), grant.refreshToken);
}

function grantForRefreshToken(state: SandboxState, refreshToken: string): Grant | undefined {
  const grantId = state.refreshTokens.get(refreshToken);
  return grantId === undefined ? undefined : state.grants.get(grantId);
}

export function refreshAccessToken(state: SandboxState, client: ClientRegistration, params: { refreshToken?: string }): TokenResponse {
  if (!params.refreshToken) throw oauthErrors.missing('refresh_token');
  const grant = grantForRefreshToken(state, params.refreshToken);
  if (!grant) throw oauthErrors.revokedGrant();
  const account = findAccount(state, grant.email);
  if (grant.revoked) {
    if (account) account.stats.tokenRefreshFailures += 1;
    throw oauthErrors.revokedGrant();
  }
  if (grant.clientId !== client.clientId) throw oauthErrors.wrongClient();
  if (account) account.stats.tokenRefreshes += 1;
  // No rotation: the response carries no refresh_token, the old one stays valid.
  return tokenResponse(state, mintAccessToken(state, grant));
}

// Token records are kept (validAccessToken checks the grant) so a revoked token can
// still be attributed to its account in stats and fault matching.
function revokeGrant(grant: Grant): void {
  grant.revoked = true;
}

/** Revoking either token of a grant kills the grant and every token minted from it. */
export function revokeToken(state: SandboxState, token: string): boolean {
  const viaRefresh = grantForRefreshToken(state, token);
  const access = state.accessTokens.get(token);
  const grant = viaRefresh ?? (access ? state.grants.get(access.grantId) : undefined);
  if (!grant || grant.revoked) return false;
  revokeGrant(grant);
  return true;
}

export function revokeAccount(state: SandboxState, email: string): void {
  const key = normalizeEmail(email);
  for (const grant of state.grants.values()) {
    if (grant.email === key && !grant.revoked) revokeGrant(grant);
  }
}

/** Makes every access token the account holds right now expire, as if an hour had passed. */
export function expireAccessTokens(state: SandboxState, email: string): number {
  const key = normalizeEmail(email);
  let expired = 0;
  const now = state.now();
  for (const record of state.accessTokens.values()) {
    if (record.email === key && record.expiresAt > now) {
      record.expiresAt = now;
      expired += 1;
    }
  }
  return expired;
}

/** A usable access token, or undefined when missing, unknown, expired or revoked. */
export function validAccessToken(state: SandboxState, token: string | undefined): AccessTokenRecord | undefined {
  if (!token) return undefined;
  const record = state.accessTokens.get(token);
  if (!record || record.expiresAt <= state.now()) return undefined;
  const grant = state.grants.get(record.grantId);
  return grant && !grant.revoked ? record : undefined;
}

/** Which account a token-endpoint or revoke request is about, for stats and fault matching. */
export function accountForOAuthParams(
  state: SandboxState,
  params: { code?: string; refreshToken?: string; token?: string },
): string | undefined {
  if (params.code) return state.codes.get(params.code)?.email;
  const token = params.refreshToken ?? params.token;
  if (!token) return undefined;
  return grantForRefreshToken(state, token)?.email ?? state.accessTokens.get(token)?.email;
}
