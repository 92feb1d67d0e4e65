import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type TokenExpiredDetails } from '../domain/failures';
import { ProviderError } from '../providers/types';

/** Long pause when a provider says the quota is used up and gives no Retry-After. */
const QUOTA_BACKOFF_MS = 10 * 60_000;

export function tokenExpired(tokenVersion: number, message: string): ApplicationFailure {
  const details: TokenExpiredDetails = { tokenVersion };
  return ApplicationFailure.create({ type: FailureType.TokenExpired, message, nonRetryable: true, details: [details] });
}

export function reauthRequired(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ReauthRequired, message, nonRetryable: true });
}

export function connectionUnavailable(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.ConnectionUnavailable, message, nonRetryable: true });
}

/**
 * Maps a provider error to how Temporal should treat it: refresh-and-retry, retry after the
 * provider's Retry-After, retry with backoff, or stop (non-retryable, shown as lastError).
 */
export function toActivityFailure(err: unknown, tokenVersion: number): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ProviderError)) {
    // Unknown errors (a bug, a database hiccup) are retried: never drop a change on a surprise.
    return ApplicationFailure.create({ type: 'Unexpected', message: err instanceof Error ? err.message : String(err) });
  }
  const delay = err.details.retryAfterMs;
  switch (err.kind) {
    case 'unauthorized':
      return tokenExpired(tokenVersion, err.message);
    case 'invalid_grant':
      return reauthRequired(err.message);
    case 'rate_limited':
      return ApplicationFailure.create({ type: 'RateLimited', message: err.message, nextRetryDelay: delay });
    case 'quota_exceeded':
      return ApplicationFailure.create({ type: 'QuotaExceeded', message: err.message, nextRetryDelay: delay ?? QUOTA_BACKOFF_MS });
    case 'transient':
    case 'precondition_failed':
      return ApplicationFailure.create({ type: 'ProviderUnavailable', message: err.message, nextRetryDelay: delay });
    case 'rejected':
    case 'not_found':
    case 'account_disabled':
      return ApplicationFailure.create({ type: FailureType.ProviderRejected, message: err.message, nonRetryable: true });
  }
}
