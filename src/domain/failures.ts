import type { AccountProblemKind } from './account-health';

/**
 * Failure types activities raise (as non-retryable ApplicationFailures) and the booking workflow
 * branches on. Names are part of workflow history: renaming one is a breaking change.
 */
export const FailureType = {
  /** The access token is expired, expiring (< 5 min) or was refused with 401: refresh, then retry. */
  TokenExpired: 'TokenExpired',
  /** The user must reconnect (refresh token revoked, calendar account marked needs_reauth). */
  ReauthRequired: 'ReauthRequired',
  /** The calendar account was removed or disconnected: nothing to do in that calendar. */
  ConnectionUnavailable: 'ConnectionUnavailable',
  /** The provider refused the request and repeating it cannot help. */
  ProviderRejected: 'ProviderRejected',
  /**
   * The calendar account cannot be used until its cause goes (calendar gone, permission lost,
   * account disabled, secret unreadable): the account is in `error` (see AccountErrorDetails).
   */
  AccountError: 'AccountError',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/** Details of a TokenExpired failure: which token generation was refused (never the token). */
export interface TokenExpiredDetails {
  tokenVersion: number;
}

/** Details of an AccountError failure: the cause, and the notice to send when this failure began the episode. */
export interface AccountErrorDetails {
  kind: AccountProblemKind;
  /** Set only for the failure that put the account in `error`: the id of its one `connection.error` notice. */
  notificationId?: string;
}
