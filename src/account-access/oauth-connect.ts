import { createHash, randomBytes } from 'node:crypto';
import type { Signer } from '../crypto/signer';
import type { CalendarAccount, CalendarAccountStore } from '../db/calendar-accounts';
import type { ConnectAttemptStore } from '../db/connect-attempts';
import type { OAuthFlowStore } from '../db/oauth-flows';
import type { Logger } from '../logging';
import { ProviderError, type AccountIdentity, type ProviderKind, type ProviderRegistry } from '../providers';
import { ConnectLimitError, countConnectAttempt, type ConnectLimits } from './connect-limits';

/** What a flow stores of its browser's nonce. */
const hashNonce = (nonce: string) => createHash('sha256').update(nonce).digest('hex');

/** How long a connect link (and the OAuth round trip it starts) stays valid. */
export const CONNECT_LINK_TTL_MS = 15 * 60_000;

/** Why a connect attempt failed, as the `error` the return URL receives. */
export type ConnectErrorCode =
  | 'access_denied'
  | 'invalid_state'
  | 'expired_state'
  | 'state_already_used'
  | 'missing_code'
  | 'token_exchange_failed'
  | 'no_refresh_token'
  | 'insufficient_scope'
  | 'account_lookup_failed'
  | 'provider_not_configured'
  | 'browser_mismatch'
  /** The user has MAX_CONNECTIONS_PER_USER calendars already and this is not one of them. */
  | 'connection_limit_reached'
  /** The user has used up the hour's connect attempts. */
  | 'too_many_connect_attempts';

export type CallbackResult =
  | { ok: true; account: CalendarAccount; accountEmail: string; created: boolean; returnUrl: string | null }
  | { ok: false; error: ConnectErrorCode; returnUrl: string | null };

export type OpenResult = { ok: true; redirectTo: string } | { ok: false; error: ConnectErrorCode; returnUrl: string | null };

interface StatePayload {
  /** The flow id. */
  f: string;
  u: string;
  p: ProviderKind;
}

export interface OAuthConnectDeps {
  flows: OAuthFlowStore;
  calendarAccounts: CalendarAccountStore;
  providers: ProviderRegistry;
  /** Signs the `state` parameter (purpose-bound key). */
  stateSigner: Signer;
  publicBaseUrl: string;
  logger: Logger;
  /** Where each user's connect attempts are counted (shared by every API process). */
  attempts: Pick<ConnectAttemptStore, 'tryRecord'>;
  limits: ConnectLimits;
  /** Runs after a calendar account is stored: starts its workflow (bulk sync). */
  onConnected(account: CalendarAccount, created: boolean): Promise<void>;
}

/**
 * The OAuth connect flow, provider-neutral: a single-use connect link, a signed single-use
 * `state` bound to the user and the flow, PKCE S256, and a callback that stores the calendar account
 * (updating it when the same account reconnects) or reports exactly why it could not.
 */
export class OAuthConnect {
  constructor(private readonly deps: OAuthConnectDeps) {}

  redirectUri(provider: ProviderKind): string {
    return `${this.deps.publicBaseUrl}/v1/oauth/${provider}/callback`;
  }

  /**
   * A single-use connect link. `browserNonce`: the flow starts in a browser (the settings page)
   * and is bound to it now; without it, the browser that opens the link is the one. Throws
   * `ProviderError` when the provider is not configured and `ConnectLimitError` when the user has
   * used up the hour's connect attempts (each link counts).
   */
  async createLink(
    userId: string,
    provider: ProviderKind,
    returnUrl?: string,
    browserNonce?: string,
  ): Promise<{ url: string; expiresAt: Date }> {
    this.deps.providers.oauth(provider); // fails early when the provider is not configured
    const refusal = await countConnectAttempt(this.deps.attempts, this.deps.limits, userId, 'oauth');
    if (refusal) throw new ConnectLimitError(refusal);
    const browserHash = browserNonce === undefined ? undefined : hashNonce(browserNonce);
    const flow = await this.deps.flows.create({ userId, provider, returnUrl, ttlMs: CONNECT_LINK_TTL_MS, browserHash });
    return { url: `${this.deps.publicBaseUrl}/v1/connect/${flow.id}`, expiresAt: flow.expiresAt };
  }

  /** The user's browser (holding `browserNonce` in its cookie) opened the link: send it to the provider's consent page. */
  async open(flowId: string, browserNonce: string): Promise<OpenResult> {
    const codeVerifier = randomBytes(48).toString('base64url');
    const opened = await this.deps.flows.open(flowId, codeVerifier, hashNonce(browserNonce));
    if (typeof opened === 'string') {
      // Another browser's flow: its return URL is not this browser's business.
      if (opened === 'other_browser') return { ok: false, error: 'browser_mismatch', returnUrl: null };
      return {
        ok: false,
        error: opened === 'expired' ? 'expired_state' : opened === 'already_used' ? 'state_already_used' : 'invalid_state',
        returnUrl: await this.deps.flows.returnUrlOf(flowId),
      };
    }
    const state = this.deps.stateSigner.sign({ f: flowId, u: opened.userId, p: opened.provider } satisfies StatePayload);
    const redirectTo = this.deps.providers.oauth(opened.provider).authorizeUrl({
      state,
      redirectUri: this.redirectUri(opened.provider),
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    });
    return { ok: true, redirectTo };
  }

  /**
   * The provider sent the browser back. Only the browser the flow is bound to (its cookie's
   * nonce, `browserNonce`) completes it: a consent given in any other browser attaches nothing.
   */
  async callback(
    provider: ProviderKind,
    query: { state?: string; code?: string; error?: string },
    browserNonce: string | undefined,
  ): Promise<CallbackResult> {
    const payload = query.state ? this.deps.stateSigner.verify<StatePayload>(query.state) : undefined;
    if (!payload || payload.p !== provider || typeof payload.f !== 'string') {
      return { ok: false, error: 'invalid_state', returnUrl: null };
    }
    const flow = await this.deps.flows.complete(payload.f, provider, browserNonce === undefined ? null : hashNonce(browserNonce));
    if (flow === 'other_browser') {
      this.deps.logger.warn({ provider }, 'OAuth callback from a browser the flow is not bound to: refused');
      return { ok: false, error: 'browser_mismatch', returnUrl: null };
    }
    if (typeof flow === 'string') {
      const error = flow === 'expired' ? 'expired_state' : flow === 'already_used' ? 'state_already_used' : 'invalid_state';
      return { ok: false, error, returnUrl: await this.deps.flows.returnUrlOf(payload.f) };
    }
    const fail = async (error: ConnectErrorCode): Promise<CallbackResult> => {
      await this.deps.flows.recordOutcome(payload.f, error);
      return { ok: false, error, returnUrl: flow.returnUrl };
    };
    if (flow.userId !== payload.u) return fail('invalid_state');
    if (query.error) return fail('access_denied');
    if (!query.code) return fail('missing_code');

    const oauth = this.deps.providers.oauth(provider);
    let tokens;
    try {
      tokens = await oauth.exchangeCode({ code: query.code, redirectUri: this.redirectUri(provider), codeVerifier: flow.codeVerifier });
    } catch (err) {
      this.deps.logger.warn({ provider, reason: err instanceof ProviderError ? err.message : 'unexpected' }, 'OAuth code exchange failed');
      return fail('token_exchange_failed');
    }
    if (!tokens.refreshToken) return fail('no_refresh_token');
    const missing = oauth.missingScopes(tokens);
    if (missing.length > 0) {
      this.deps.logger.warn({ provider, missingScopes: missing }, 'OAuth grant lacks scopes the service needs');
      // Nothing is kept of a grant that cannot work; where the provider allows it, it is given back.
      await oauth.revoke(tokens.refreshToken).catch(() => undefined);
      return fail('insufficient_scope');
    }
    let identity: AccountIdentity;
    try {
      identity = await oauth.identifyAccount(tokens);
    } catch (err) {
      this.deps.logger.warn({ provider, reason: err instanceof ProviderError ? err.message : 'unexpected' }, 'account lookup failed');
      return fail('account_lookup_failed');
    }
    const stored = await this.deps.calendarAccounts.upsertOAuth(
      {
        userId: flow.userId,
        provider,
        calendarId: 'primary',
        accountEmail: identity.email,
        ...(identity.subject === undefined ? {} : { accountSubject: identity.subject }),
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt,
      },
      { maxActive: this.deps.limits.maxConnectionsPerUser },
    );
    if ('limitReached' in stored) {
      // Nothing is stored, so the grant just given is of no use: hand it back (best effort).
      await oauth.revoke(tokens.refreshToken).catch(() => undefined);
      return fail('connection_limit_reached');
    }
    const { account, created } = stored;
    await this.deps.flows.recordOutcome(payload.f, 'connected');
    await this.deps.onConnected(account, created);
    return { ok: true, account, accountEmail: identity.email, created, returnUrl: flow.returnUrl };
  }
}
