import { ActivityFailure, ApplicationFailure, CancellationScope, condition } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType, type TokenExpiredDetails } from '../domain/failures';
import { activities } from './activity-options';

/** Refresh-and-retry rounds per call before giving up on the token. */
const MAX_TOKEN_REFRESHES = 3;

export function applicationFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err instanceof ApplicationFailure ? err : undefined;
}

/** How a refresh is bounded. The token endpoint's outages are retried for ever otherwise. */
export interface FreshTokenOptions {
  /**
   * True once the call is no longer wanted (a disconnect began): a refresh under way is cancelled
   * and the failure that asked for it returned, so the caller's loop can end.
   */
  stop?: () => boolean;
  /** The activities that refresh (a disconnect's own: retried for a bounded time only). */
  refresher?: Pick<Activities, 'refreshAccessToken'>;
}

/**
 * Runs a provider activity; when it reports an expired, expiring or refused token, refreshes the
 * calendar account's token (once for every caller at that moment, see refreshAccessToken) and runs it
 * again with `tokenJustRefreshed`. Returns the result, or the ApplicationFailure that ended it.
 */
export async function withFreshToken<T>(
  connectionId: string,
  call: (tokenJustRefreshed: boolean) => Promise<T>,
  options: FreshTokenOptions = {},
): Promise<{ ok: true; value: T } | { ok: false; failure: ApplicationFailure }> {
  const { stop, refresher = activities } = options;
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
    if (stop?.()) return { ok: false, failure };
    try {
      const scope = new CancellationScope();
      const refreshing = scope.run(() => refresher.refreshAccessToken({ connectionId, seenTokenVersion: details?.tokenVersion ?? -1 }));
      if (stop) {
        // The wait for `stop` is cancelled too once the refresh is done: no condition outlives its refresh.
        const watch = new CancellationScope();
        const stopped = watch
          .run(() => condition(stop))
          .then(
            () => true,
            () => false,
          );
        const ended = await Promise.race([refreshing.then(() => false), stopped]).finally(() => watch.cancel());
        if (ended) {
          // Not awaited: the cancelled refresh's failure is of no interest (handled, so not unhandled).
          refreshing.catch(() => undefined);
          scope.cancel();
          return { ok: false, failure };
        }
      } else {
        await refreshing;
      }
    } catch (err) {
      const refreshFailure = applicationFailure(err);
      if (!refreshFailure) throw err;
      return { ok: false, failure: refreshFailure };
    }
  }
}
