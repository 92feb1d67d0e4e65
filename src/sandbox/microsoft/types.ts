// Wire types shared by the Microsoft sandbox server and its control client. Type-only,
// so the control client can import them without pulling Express into a test process.

import type { CodeChallengeMethod } from '../shared/types';

export type { CodeChallengeMethod, FaultRuleInput, FaultRuleView, JsonObject, JsonValue } from '../shared/types';

export interface MicrosoftSandboxConfig {
  /** Lifetime of newly minted access tokens (`expires_in` and `ext_expires_in`). */
  accessTokenTtlSeconds: number;
  /** Lifetime of each refresh token from its issue (90 days at Microsoft); then invalid_grant AADSTS700082. */
  refreshTokenTtlSeconds: number;
  /**
   * Refresh tokens rotate either way: every refresh answers with a new one. Real AAD keeps
   * the old one valid until its own expiry (the default, false); true invalidates it as soon
   * as it has been redeemed, so a caller that ever uses a superseded token gets invalid_grant.
   */
  strictRotation: boolean;
  /** Graph requests per app per mailbox per sliding 10 minutes (Outlook: 10,000); 0 turns the limit off. */
  mailboxRequestsPer10Minutes: number;
}

export interface MicrosoftAccountStats {
  /** Graph and token-endpoint requests attributed to this account. */
  requests: number;
  /** Successful grant_type=refresh_token exchanges. */
  tokenRefreshes: number;
  /** Refused grant_type=refresh_token exchanges of a refresh token of this account (revoked, expired, superseded, other client, scope). */
  tokenRefreshFailures: number;
  /** Graph requests answered 429 by the per-mailbox limiter. */
  throttled: number;
}

export interface MicrosoftSandboxStats {
  /** Every request to the emulated Microsoft surfaces (identity platform and Graph), /sandbox excluded. */
  requests: number;
  byAccount: Record<string, MicrosoftAccountStats>;
  faultsInjected: number;
}

export interface MicrosoftAccountInput {
  email: string;
  /** Defaults to a name made from the address's local part ("ada.lovelace@…" → "Ada Lovelace"). */
  displayName?: string;
}

/** A sandbox account as the control API shows it. */
export interface MicrosoftAccountView {
  email: string;
  /** The Graph user id: a GUID, stable for an address (also across resets). */
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
}

export interface MicrosoftAuthorizeInput {
  email: string;
  clientId: string;
  redirectUri: string;
  /** Defaults to DEFAULT_SCOPE: `openid profile offline_access User.Read Calendars.ReadWrite`. */
  scope?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

/** `GET /v1.0/me` (the default property set of a user). */
export interface GraphUser {
  '@odata.context': string;
  businessPhones: string[];
  displayName: string;
  givenName: string | null;
  jobTitle: string | null;
  mail: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  surname: string | null;
  userPrincipalName: string;
  id: string;
}
