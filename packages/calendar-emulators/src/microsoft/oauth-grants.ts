import { normalizeEmail } from '../shared/email';
import { isAbsoluteHttpUrl, type ClientCredentials } from '../shared/http';
import { randomToken } from '../shared/ids';
import { checkCodeVerifier, parseCodeChallenge } from '../shared/pkce';
import { userIdFor } from './ids';
import { AadError, aadErrors } from './errors';
import { canonicalScope, hasOfflineAccess, missingPermissions, normalizeScope, responseScope, scopeList } from './scopes';
import {
  findAccount,
  getOrCreateAccount,
  type AccessTokenRecord,
  type AuthorizationCode,
  type ClientRegistration,
  type Grant,
  type MicrosoftSandboxState,
  type RefreshTokenRecord,
} from './state';
import type { CodeChallengeMethod } from './types';

// Authorization codes, grants, refresh and access tokens with the Microsoft identity
// platform's rules: tenant in the path, single-use PKCE-bound codes, refresh tokens
// only with offline_access, refresh-token rotation, revocation of a user's grants.

const CODE_TTL_MS = 10 * 60 * 1000;

const TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** `common`, `organizations`, `consumers`, a tenant GUID or a verified-domain-looking name. */
export function isValidTenant(tenant: string): boolean {
  return TENANT_ALIASES.has(tenant.toLowerCase()) || GUID.test(tenant) || DOMAIN.test(tenant);
}

export interface TokenResponse {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  /** With the `openid` scope: who signed in (`tid`, and with `profile` also `oid` and `preferred_username`). */
  id_token?: string;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

export interface RawAuthorizationRequest {
  tenant: string;
  clientId?: string;
  redirectUri?: string;
  responseType?: string;
  responseMode?: string;
  scope?: string;
  prompt?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

/**
 * `page`: shown to the user, never redirected, because the redirect target itself is not
 * trusted yet. `redirect`: sent back to the (validated) redirect URI as error parameters.
 */
export type AuthorizationCheck =
  | { ok: true; request: AuthorizationRequest }
  | { ok: false; show: 'page'; error: AadError }
  | { ok: false; show: 'redirect'; redirectUri: string; error: AadError };

/** The checks AAD makes before showing its sign-in and consent pages. */
export function checkAuthorizationRequest(
  state: MicrosoftSandboxState,
  raw: RawAuthorizationRequest,
  defaults: { scope?: string } = {},
): AuthorizationCheck {
  const page = (error: AadError): AuthorizationCheck => ({ ok: false, show: 'page', error });
  if (!isValidTenant(raw.tenant)) return page(aadErrors.tenantNotFound(raw.tenant));
  if (!raw.clientId) return page(aadErrors.missing('client_id'));
  const client = state.clients.get(raw.clientId);
  if (!client) return page(aadErrors.unknownClient(raw.clientId, raw.tenant));
  if (!raw.redirectUri) return page(aadErrors.missing('redirect_uri'));
  if (!isAbsoluteHttpUrl(raw.redirectUri)) return page(aadErrors.invalidRedirectUri());
  if (client.redirectUris && !client.redirectUris.includes(raw.redirectUri)) {
    return page(aadErrors.redirectUriNotRegistered(raw.redirectUri, client.clientId));
  }

  const redirectUri = raw.redirectUri;
  const redirect = (error: AadError): AuthorizationCheck => ({ ok: false, show: 'redirect', redirectUri, error });
  if (!raw.responseType) return redirect(aadErrors.missing('response_type'));
  if (raw.responseType !== 'code') return redirect(aadErrors.unsupportedResponseType(raw.responseType));
  if (raw.responseMode !== undefined && raw.responseMode !== 'query') {
    return redirect(aadErrors.unsupportedResponseMode(raw.responseMode));
  }
  const scope = normalizeScope(raw.scope ?? defaults.scope ?? '');
  if (!scope) return redirect(aadErrors.missing('scope'));
  const pkce = parseCodeChallenge(raw.codeChallenge, raw.codeChallengeMethod);
  if (!pkce.ok) return redirect(aadErrors.malformed(pkce.message));
  // There is never a signed-in session in the sandbox, so a silent request cannot succeed.
  if (raw.prompt === 'none') return redirect(aadErrors.loginRequired());

  const request: AuthorizationRequest = { clientId: client.clientId, redirectUri, scope };
  if (pkce.challenge) Object.assign(request, pkce.challenge);
  return { ok: true, request };
}

/** What "Accept" does: the account consents and the client gets a short-lived code. */
export function issueAuthorizationCode(state: MicrosoftSandboxState, email: string, request: AuthorizationRequest): string {
  const account = getOrCreateAccount(state, email);
  const code = `M.C5_sandbox.${randomToken(32)}`;
  const record: AuthorizationCode = {
    code,
    email: account.email,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    expiresAt: state.now() + CODE_TTL_MS,
    used: false,
  };
  if (request.codeChallenge !== undefined) record.codeChallenge = request.codeChallenge;
  if (request.codeChallengeMethod !== undefined) record.codeChallengeMethod = request.codeChallengeMethod;
  state.codes.set(code, record);
  return code;
}

export function authenticateClient(state: MicrosoftSandboxState, tenant: string, credentials: ClientCredentials): ClientRegistration {
  if (!credentials.clientId) throw aadErrors.missing('client_id');
  const client = state.clients.get(credentials.clientId);
  if (!client) throw aadErrors.unknownClient(credentials.clientId, tenant);
  if (!credentials.clientSecret) throw aadErrors.missingSecret();
  if (credentials.clientSecret !== client.clientSecret) throw aadErrors.badSecret(client.clientId);
  return client;
}

function mintAccessToken(state: MicrosoftSandboxState, grant: Grant, scope: string): AccessTokenRecord {
  const record: AccessTokenRecord = {
    token: `EwB.sandbox.${randomToken(32)}`,
    grantId: grant.id,
    email: grant.email,
    clientId: grant.clientId,
    scope,
    expiresAt: state.now() + state.config.accessTokenTtlSeconds * 1000,
  };
  state.accessTokens.set(record.token, record);
  return record;
}

function mintRefreshToken(state: MicrosoftSandboxState, grant: Grant): RefreshTokenRecord {
  const now = state.now();
  const record: RefreshTokenRecord = {
    token: `0.sandbox.${randomToken(48)}`,
    grantId: grant.id,
    email: grant.email,
    issuedAt: now,
    expiresAt: now + state.config.refreshTokenTtlSeconds * 1000,
  };
  state.refreshTokens.set(record.token, record);
  grant.currentRefreshToken = record.token;
  return record;
}

/**
 * An id token as the v2.0 endpoint issues one: `tid` always, `oid` and `preferred_username` with
 * the `profile` scope (as at Microsoft). Unsigned (`alg: none`): the sandbox publishes no signing
 * keys, and a client that takes the token straight from the token endpoint over TLS may rely on
 * its claims without checking a signature (OpenID Connect Core 1.0, 3.1.3.7).
 */
function idToken(state: MicrosoftSandboxState, grant: Grant, scope: string): string | undefined {
  const scopes = new Set(scopeList(scope).map(canonicalScope));
  const account = findAccount(state, grant.email);
  if (!scopes.has('openid') || !account) return undefined;
  const now = Math.floor(state.now() / 1000);
  const claims: Record<string, unknown> = {
    ver: '2.0',
    iss: `https://login.microsoftonline.com/${account.tenantId}/v2.0`,
    aud: grant.clientId,
    iat: now,
    nbf: now,
    exp: now + 3600,
    tid: account.tenantId,
    sub: userIdFor(`${grant.clientId}:${account.id}`),
    ...(scopes.has('profile') ? { oid: account.id, preferred_username: account.email, name: account.displayName } : {}),
  };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'none' })}.${part(claims)}.`;
}

function tokenResponse(state: MicrosoftSandboxState, grant: Grant, access: AccessTokenRecord, refresh?: RefreshTokenRecord): TokenResponse {
  const response: TokenResponse = {
    token_type: 'Bearer',
    scope: responseScope(access.scope),
    expires_in: state.config.accessTokenTtlSeconds,
    ext_expires_in: state.config.accessTokenTtlSeconds,
    access_token: access.token,
  };
  if (refresh) response.refresh_token = refresh.token;
  const id = idToken(state, grant, grant.scope);
  if (id !== undefined) response.id_token = id;
  return response;
}

/** The scope a token request asks for: its own `scope` (which must be covered by the grant) or the grant's. */
function requestedScope(grantedScope: string, clientId: string, requested: string | undefined): string {
  if (requested === undefined) return grantedScope;
  const scope = normalizeScope(requested);
  const missing = missingPermissions(scope, grantedScope);
  if (missing.length > 0) throw aadErrors.consentRequired(clientId, missing);
  return scope || grantedScope;
}

export function exchangeAuthorizationCode(
  state: MicrosoftSandboxState,
  client: ClientRegistration,
  params: { code?: string; redirectUri?: string; codeVerifier?: string; scope?: string },
): TokenResponse {
  if (!params.code) throw aadErrors.missing('code');
  const code = state.codes.get(params.code);
  if (!code) throw aadErrors.badCode();
  if (code.used) throw aadErrors.usedCode();
  if (code.expiresAt <= state.now()) throw aadErrors.expiredGrant();
  if (code.clientId !== client.clientId) throw aadErrors.codeForOtherClient();
  if (!params.redirectUri) throw aadErrors.missing('redirect_uri');
  if (params.redirectUri !== code.redirectUri) throw aadErrors.redirectMismatch(params.redirectUri, code.redirectUri);
  const pkce = checkCodeVerifier(code, params.codeVerifier);
  if (pkce === 'missing') throw aadErrors.missing('code_verifier');
  if (pkce === 'mismatch') throw aadErrors.badVerifier();
  const scope = requestedScope(code.scope, client.clientId, params.scope);
  code.used = true;

  const grant: Grant = {
    id: randomToken(12),
    email: code.email,
    clientId: code.clientId,
    scope: code.scope,
    issuedAt: state.now(),
  };
  state.grants.set(grant.id, grant);
  // Only offline_access earns a refresh token.
  const refresh = hasOfflineAccess(code.scope) ? mintRefreshToken(state, grant) : undefined;
  return tokenResponse(state, grant, mintAccessToken(state, grant, scope), refresh);
}

/** Why a refresh token cannot be redeemed, or undefined when it can. */
function refusal(state: MicrosoftSandboxState, client: ClientRegistration, record: RefreshTokenRecord, grant: Grant): AadError | undefined {
  if (grant.revokedAt !== undefined) return aadErrors.revokedGrant(grant.issuedAt, grant.revokedAt);
  if (record.expiresAt <= state.now()) return aadErrors.expiredRefreshToken(record.issuedAt, record.expiresAt);
  if (record.rotatedAt !== undefined && state.config.strictRotation) return aadErrors.rotatedRefreshToken();
  if (grant.clientId !== client.clientId) return aadErrors.refreshTokenForOtherClient();
  return undefined;
}

/**
 * grant_type=refresh_token. Every success rotates: the answer carries a new refresh
 * token, and the redeemed one stays valid until its own expiry unless strictRotation.
 */
export function refreshAccessToken(
  state: MicrosoftSandboxState,
  client: ClientRegistration,
  params: { refreshToken?: string; scope?: string },
): TokenResponse {
  if (!params.refreshToken) throw aadErrors.missing('refresh_token');
  const record = state.refreshTokens.get(params.refreshToken);
  const grant = record ? state.grants.get(record.grantId) : undefined;
  if (!record || !grant) throw aadErrors.expiredGrant();
  const account = findAccount(state, grant.email);
  try {
    const refused = refusal(state, client, record, grant);
    if (refused) throw refused;
    const scope = requestedScope(grant.scope, client.clientId, params.scope);
    const access = mintAccessToken(state, grant, scope);
    record.rotatedAt ??= state.now();
    const next = mintRefreshToken(state, grant);
    if (account) account.stats.tokenRefreshes += 1;
    return tokenResponse(state, grant, access, next);
  } catch (error) {
    if (account) account.stats.tokenRefreshFailures += 1;
    throw error;
  }
}

/** Revokes every grant of the account: its refresh tokens get AADSTS50173, its access tokens 401. */
export function revokeAccount(state: MicrosoftSandboxState, email: string): number {
  const key = normalizeEmail(email);
  let revoked = 0;
  for (const grant of state.grants.values()) {
    if (grant.email === key && grant.revokedAt === undefined) {
      grant.revokedAt = state.now();
      revoked += 1;
    }
  }
  return revoked;
}

/** Makes every access token the account holds right now expire, as if an hour had passed. */
export function expireAccessTokens(state: MicrosoftSandboxState, email: string): number {
  const key = normalizeEmail(email);
  const now = state.now();
  let expired = 0;
  for (const record of state.accessTokens.values()) {
    if (record.email === key && record.expiresAt > now) {
      record.expiresAt = now;
      expired += 1;
    }
  }
  return expired;
}

/** Makes every refresh token of the account expire, as if 90 idle days had passed (AADSTS700082). */
export function expireRefreshTokens(state: MicrosoftSandboxState, email: string): number {
  const key = normalizeEmail(email);
  const now = state.now();
  let expired = 0;
  for (const record of state.refreshTokens.values()) {
    if (record.email === key && record.expiresAt > now) {
      record.expiresAt = now;
      expired += 1;
    }
  }
  return expired;
}

/** A usable access token, or undefined when missing, unknown, expired or revoked. */
export function validAccessToken(state: MicrosoftSandboxState, token: string | undefined): AccessTokenRecord | undefined {
  if (!token) return undefined;
  const record = state.accessTokens.get(token);
  if (!record || record.expiresAt <= state.now()) return undefined;
  const grant = state.grants.get(record.grantId);
  return grant && grant.revokedAt === undefined ? record : undefined;
}

/** Which account a token request is about, for stats and fault matching. */
export function accountForTokenParams(state: MicrosoftSandboxState, params: { code?: string; refreshToken?: string }): string | undefined {
  if (params.code) return state.codes.get(params.code)?.email;
  if (params.refreshToken) return state.refreshTokens.get(params.refreshToken)?.email;
  return undefined;
}
