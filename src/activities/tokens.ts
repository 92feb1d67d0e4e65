import { appendSyncLog } from '../db/sync-log';
import { ProviderError } from '../providers/types';
import type { ActivityDeps } from './deps';
import { TOKEN_MIN_USABLE_MS } from './calendar';
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
  const now = deps.now ?? Date.now;
  return {
    /**
     * Refreshes a connection's access token once, however many workflows ask at the same time:
     * callers queue on a per-connection lock that every process honours, and those that find a
     * newer, still-valid token than the one they saw return without calling the provider.
     * The (possibly rotated) refresh token is stored sealed; only the expiry leaves this activity.
     */
    async refreshAccessToken(input: RefreshTokenInput): Promise<RefreshTokenResult> {
      const outcome = await deps.connections.withLockedConnection(input.connectionId, async ({ connection, refreshToken, client }) => {
        if (connection.status === 'disconnected') return { kind: 'gone' as const };
        if (connection.status === 'needs_reauth') return { kind: 'reauth' as const, message: connection.lastError ?? 'reconnect required' };
        const expiresAt = connection.tokenExpiresAt?.getTime() ?? 0;
        // Someone refreshed since the caller looked: use that token while it is usable at all.
        if (connection.tokenVersion > input.seenTokenVersion && expiresAt - now() > TOKEN_MIN_USABLE_MS) {
          return { kind: 'fresh' as const, expiresAt: new Date(expiresAt), tokenVersion: connection.tokenVersion };
        }
        const audit = { connectionId: connection.id, userId: connection.userId, provider: connection.provider, operation: 'refresh_token' as const };
        if (!refreshToken) {
          const message = 'The calendar has no refresh token; the user must reconnect it.';
          await deps.connections.markNeedsReauth(client, connection.id, message);
          await appendSyncLog(client, [{ ...audit, outcome: 'needs_reauth', detail: message }]);
          return { kind: 'reauth' as const, message };
        }
        try {
          const tokens = await deps.providers.oauth(connection.provider).refresh(refreshToken);
          const tokenVersion = await deps.connections.storeTokens(client, connection.id, tokens);
          await appendSyncLog(client, [{ ...audit, outcome: 'ok' }]);
          return { kind: 'refreshed' as const, expiresAt: tokens.expiresAt, tokenVersion };
        } catch (err) {
          if (err instanceof ProviderError && err.kind === 'invalid_grant') {
            // Revoked or expired grant: park the connection until its user reconnects.
            const message = `The calendar provider refused the stored grant (${err.message}); the user must reconnect.`;
            await deps.connections.markNeedsReauth(client, connection.id, message);
            await appendSyncLog(client, [{ ...audit, outcome: 'needs_reauth', detail: err.message }]);
            deps.logger.warn({ connectionId: connection.id, provider: connection.provider }, 'connection needs re-authentication');
            return { kind: 'reauth' as const, message };
          }
          return { kind: 'error' as const, err, tokenVersion: connection.tokenVersion };
        }
      });
      switch (outcome.kind) {
        case 'gone':
          throw connectionUnavailable(`calendar connection ${input.connectionId} is no longer connected`);
        case 'reauth':
          throw reauthRequired(outcome.message);
        case 'error':
          // Outside the transaction, so the lock is released before Temporal's backoff.
          throw toActivityFailure(outcome.err, outcome.tokenVersion);
        case 'fresh':
        case 'refreshed':
          if (outcome.kind === 'refreshed') deps.logger.info({ connectionId: input.connectionId }, 'access token refreshed');
          return { refreshed: outcome.kind === 'refreshed', expiresAt: outcome.expiresAt.toISOString(), tokenVersion: outcome.tokenVersion };
      }
    },
  };
}
