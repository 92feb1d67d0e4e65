import { Context } from '@temporalio/activity';
import { tokenRefreshes } from '../metrics/metrics';
import { refreshAccountToken } from '../account-access/token-refresh';
import { accountFailure, secretProblem } from './account-health';
import type { ActivityDeps } from './deps';
import { connectionUnavailable, reauthRequired, toActivityFailure } from './failures';

export interface RefreshTokenInput {
  connectionId: string;
  /** The token generation the caller saw refused or expiring. */
  seenTokenVersion: number;
}

export interface RefreshTokenResult {
  /** False when another caller had already refreshed: no provider call was made. */
  refreshed: boolean;
  expiresAt: string;
  tokenVersion: number;
}

export function createTokenActivities(deps: ActivityDeps) {
  return {
    /**
     * Refreshes a calendar account's access token once, however many workflows ask at the same time:
     * callers queue on a per-account lock that every process honours, and those that find a
     * newer, still-valid token than the one they saw return without calling the provider.
     * The (possibly rotated) refresh token is stored sealed; only the expiry leaves this activity.
     */
    async refreshAccessToken(input: RefreshTokenInput): Promise<RefreshTokenResult> {
      const outcome = await refreshAccountToken(
        deps,
        input.connectionId,
        input.seenTokenVersion,
        Context.current().cancellationSignal,
      ).catch(async (err: unknown) => {
        // The stored refresh token cannot be opened (its key is gone): no retry brings it back.
        const problem = secretProblem(err);
        throw problem ? await accountFailure(deps, input.connectionId, problem) : err;
      });
      switch (outcome.kind) {
        case 'gone':
          tokenRefreshes.inc({ outcome: 'failed' });
          throw connectionUnavailable(`calendar connection ${input.connectionId} is no longer connected`);
        case 'reauth':
          tokenRefreshes.inc({ outcome: 'needs_reauth' });
          throw reauthRequired(outcome.message);
        case 'error':
          // Outside the transaction, so the lock is released before Temporal's backoff.
          tokenRefreshes.inc({ outcome: 'failed' });
          throw toActivityFailure(outcome.err, outcome.tokenVersion);
        case 'fresh':
        case 'refreshed':
          tokenRefreshes.inc({ outcome: outcome.kind === 'refreshed' ? 'refreshed' : 'reused' });
          return {
            refreshed: outcome.kind === 'refreshed',
            expiresAt: outcome.expiresAt.toISOString(),
            tokenVersion: outcome.tokenVersion,
          };
      }
    },
  };
}
