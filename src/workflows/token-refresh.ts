import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType, type TokenExpiredDetails } from '../domain/failures';
import { activities } from './activity-options';

/** Refresh-and-retry rounds per call before giving up on the token. */
const MAX_TOKEN_REFRESHES = 3;

export function applicationFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err instanceof ApplicationFailure ? err : undefined;
}

/**
 * Runs a provider activity; when it reports an expired, expiring or refused token, refreshes the
 * calendar account's token (once for every caller at that moment, see refreshAccessToken) and runs it
 * again with `tokenJustRefreshed`. Returns the result, or the ApplicationFailure that ended it.
 */
export async function withFreshToken<T>(
  connectionId: string,
  call: (tokenJustRefreshed: boolean) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; failure: ApplicationFailure }> {
  for (let refreshes = 0; ; refreshes++) {
    let failure: ApplicationFailure | undefined;
    try {
      return { ok: true, value: await call(refreshes > 0) };
    } catch (err) {
      failure = applicationFailure(err);
      if (!failure) throw err;
    }
    if (failure.type !== FailureType.TokenExpired || refreshes >= MAX_TOKEN_REFRESHES) return { ok: false, failure };
    const details = failure.details?.[0] as TokenExpiredDetails | undefined;
    try {
      await activities.refreshAccessToken({ connectionId, seenTokenVersion: details?.tokenVersion ?? -1 });
    } catch (err) {
      const refreshFailure = applicationFailure(err);
      if (!refreshFailure) throw err;
      return { ok: false, failure: refreshFailure };
    }
  }
}
