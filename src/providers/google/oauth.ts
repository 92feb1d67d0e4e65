import { requestToken, type ClientCredentials } from '../oauth2-token';
import { requestSignal } from '../request-signal';
import { ProviderError, type AccountIdentity, type OAuthProvider, type TokenSet } from '../types';
import { calendarClient, withToken } from './calendar-client';
import { toProviderError } from './errors';

export interface GoogleOAuthConfig extends ClientCredentials {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  apiUrl: string;
}

/**
 * Events to write ours; read-only to name the account (calendarList.get('primary')) and, for
 * two-way sync, to read busy times. Nothing broader.
 */
export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/calendar.events', 'https://www.googleapis.com/auth/calendar.readonly'];

export class GoogleOAuth implements OAuthProvider {
  readonly kind = 'google' as const;
  readonly scopes = GOOGLE_SCOPES;

  constructor(private readonly config: GoogleOAuthConfig) {}

  /**
   * The consent URL: offline access + forced consent so Google issues a refresh token; PKCE S256.
   * No `include_granted_scopes`: a grant holds what this service asks for, nothing earlier grants added.
   */
  authorizeUrl(input: { state: string; redirectUri: string; codeChallenge: string; loginHint?: string }): string {
    const url = new URL(this.config.authUrl);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: input.redirectUri,
      response_type: 'code',
      scope: GOOGLE_SCOPES.join(' '),
      access_type: 'offline',
      prompt: 'consent',
      state: input.state,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    }).toString();
    return url.toString();
  }

  exchangeCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet> {
    return requestToken(this.config.tokenUrl, this.config, {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      ...(input.codeVerifier ? { code_verifier: input.codeVerifier } : {}),
    });
  }

  refresh(refreshToken: string, cancel?: AbortSignal): Promise<TokenSet> {
    return requestToken(this.config.tokenUrl, this.config, { grant_type: 'refresh_token', refresh_token: refreshToken }, Date.now, cancel);
  }

  /** Google revokes the whole grant given either token; 400 means it was already invalid. */
  async revoke(token: string, cancel?: AbortSignal): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.config.revokeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
        signal: requestSignal(10_000, cancel),
      });
    } catch {
      throw new ProviderError('transient', 'Google revoke endpoint unreachable');
    }
    if (res.ok || res.status === 400) return;
    throw new ProviderError(res.status >= 500 ? 'transient' : 'rejected', `Google revoke endpoint ${res.status}`, { status: res.status });
  }

  /** The account's e-mail is the id of its primary calendar: Google's own address of the account. */
  async identifyAccount(tokens: TokenSet): Promise<AccountIdentity> {
    try {
      const res = await calendarClient(this.config.apiUrl).calendarList.get({ calendarId: 'primary' }, withToken(tokens.accessToken));
      if (!res.data.id) throw new ProviderError('rejected', 'Google returned a primary calendar without an id');
      return { email: res.data.id };
    } catch (err) {
      throw toProviderError(err);
    }
  }

  /**
   * Google's consent screen lets the user untick scopes, and the token response's `scope` lists
   * what was granted. Every one of ours is needed (events to write, read-only for busy times).
   */
  missingScopes(tokens: TokenSet): string[] {
    const granted = new Set((tokens.scope ?? '').split(/\s+/).filter(Boolean));
    return GOOGLE_SCOPES.filter((scope) => !granted.has(scope));
  }
}
