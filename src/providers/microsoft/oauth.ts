import { requestToken, type ClientCredentials } from '../oauth2-token';
import { ProviderError, type OAuthProvider, type TokenSet } from '../types';

export interface MicrosoftOAuthConfig extends ClientCredentials {
  /** Authority host, e.g. https://login.microsoftonline.com */
  loginUrl: string;
  tenant: string;
  /** Graph base, e.g. https://graph.microsoft.com/v1.0 */
  graphUrl: string;
}

/** Calendars to write ours, User.Read for `/me`, offline_access for a refresh token. */
export const MICROSOFT_SCOPES = ['offline_access', 'User.Read', 'Calendars.ReadWrite'];

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

  /** Graph `GET /me`: the mailbox address, or the sign-in name when the account has no mailbox field. */
  async fetchAccountEmail(accessToken: string): Promise<string> {
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
