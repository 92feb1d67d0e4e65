import { requestToken, type ClientCredentials } from '../oauth2-token';
import { ProviderError, type AccountIdentity, type OAuthProvider, type TokenSet } from '../types';

export interface MicrosoftOAuthConfig extends ClientCredentials {
  /** Authority host, e.g. https://login.microsoftonline.com */
  loginUrl: string;
  tenant: string;
  /** Graph base, e.g. https://graph.microsoft.com/v1.0 */
  graphUrl: string;
}

/**
 * Calendars to write ours, User.Read for `/me`, offline_access for a refresh token; openid and
 * profile for an id token naming the account's tenant (`tid`) and object id (`oid`).
 */
export const MICROSOFT_SCOPES = ['openid', 'profile', 'offline_access', 'User.Read', 'Calendars.ReadWrite'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `<tid>/<oid>` from the id token's claims: the account's identity, which no tenant can give
 * another account (unlike `mail` or `userPrincipalName`). The signature is not checked: the
 * token came straight from the token endpoint over TLS, in exchange for our client secret
 * (OpenID Connect Core 1.0, 3.1.3.7).
 */
export function accountSubjectOf(idToken: string | undefined): string | undefined {
  const payload = idToken?.split('.')[1];
  if (!payload) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const { tid, oid } = (claims ?? {}) as { tid?: unknown; oid?: unknown };
  if (typeof tid !== 'string' || typeof oid !== 'string' || !GUID.test(tid) || !GUID.test(oid)) return undefined;
  return `${tid.toLowerCase()}/${oid.toLowerCase()}`;
}

/**
 * Microsoft identity platform (v2.0 endpoints). Refresh tokens rotate: every refresh returns a
 * new one, which the caller must store every time (see CalendarAccountStore.withLockedAccount).
 */
export class MicrosoftOAuth implements OAuthProvider {
  readonly kind = 'microsoft' as const;
  readonly scopes = MICROSOFT_SCOPES;

  constructor(private readonly config: MicrosoftOAuthConfig) {}

  private endpoint(name: 'authorize' | 'token'): string {
    return `${this.config.loginUrl}/${encodeURIComponent(this.config.tenant)}/oauth2/v2.0/${name}`;
  }

  authorizeUrl(input: { state: string; redirectUri: string; codeChallenge: string; loginHint?: string }): string {
    const url = new URL(this.endpoint('authorize'));
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      response_type: 'code',
      response_mode: 'query',
      redirect_uri: input.redirectUri,
      scope: MICROSOFT_SCOPES.join(' '),
      state: input.state,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
      prompt: 'select_account',
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    }).toString();
    return url.toString();
  }

  exchangeCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet> {
    return requestToken(this.endpoint('token'), this.config, {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      scope: MICROSOFT_SCOPES.join(' '),
      ...(input.codeVerifier ? { code_verifier: input.codeVerifier } : {}),
    });
  }

  refresh(refreshToken: string, cancel?: AbortSignal): Promise<TokenSet> {
    return requestToken(
      this.endpoint('token'),
      this.config,
      { grant_type: 'refresh_token', refresh_token: refreshToken, scope: MICROSOFT_SCOPES.join(' ') },
      Date.now,
      cancel,
    );
  }

  /**
   * The identity from the id token (tenant + object id); the address to show from Graph `GET /me`:
   * the mailbox address, or the sign-in name when the account has no mailbox field.
   */
  async identifyAccount(tokens: TokenSet): Promise<AccountIdentity> {
    const subject = accountSubjectOf(tokens.idToken);
    if (subject === undefined) throw new ProviderError('rejected', 'Microsoft sign-in returned no id token with tid and oid');
    return { email: await this.fetchAccountEmail(tokens.accessToken), subject };
  }

  /** Microsoft's consent grants the requested permissions together or not at all. */
  missingScopes(): string[] {
    return [];
  }

  private async fetchAccountEmail(accessToken: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.config.graphUrl}/me?$select=mail,userPrincipalName`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new ProviderError('transient', 'Microsoft Graph unreachable');
    }
    if (res.status === 401) throw new ProviderError('unauthorized', 'Microsoft Graph 401 on /me', { status: 401 });
    if (!res.ok)
      throw new ProviderError(res.status >= 500 || res.status === 429 ? 'transient' : 'rejected', `Microsoft Graph ${res.status} on /me`, {
        status: res.status,
      });
    const me = (await res.json()) as { mail?: string | null; userPrincipalName?: string | null };
    const email = me.mail ?? me.userPrincipalName;
    if (!email) throw new ProviderError('rejected', 'Microsoft Graph /me returned no mail or userPrincipalName');
    return email;
  }

  /**
   * Microsoft offers apps no endpoint to revoke one grant (revokeSignInSessions would sign the
   * user out everywhere). Erasing our tokens is what disconnecting can do; users remove the app
   * under their account's app permissions.
   */
  async revoke(): Promise<void> {}
}
