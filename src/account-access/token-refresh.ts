import type { CalendarAccount, CalendarAccountStore } from '../db/calendar-accounts';
import type { Logger } from '../logging';
import { ProviderError, type Credentials, type ProviderRegistry } from '../providers';
import { checkCredentials } from './credentials';
import { TOKEN_MIN_USABLE_MS } from './refresh-due';

export interface TokenRefreshDeps {
  calendarAccounts: CalendarAccountStore;
  providers: ProviderRegistry;
  logger: Logger;
  now?: () => number;
}

export type RefreshOutcome =
  | { kind: 'gone' }
  | { kind: 'reauth'; message: string }
  | { kind: 'fresh' | 'refreshed'; expiresAt: Date; tokenVersion: number }
  | { kind: 'error'; err: unknown; tokenVersion: number };

/**
 * Why the user must reconnect when the provider refused the stored credentials and nothing can
 * renew them: an app password (CalDAV, iCloud) has no refresh token, it was revoked or changed.
 */
function refusedWithoutRenewal(account: CalendarAccount): string {
  switch (account.provider) {
    case 'icloud':
      return 'iCloud refused the stored app-specific password (it was revoked or changed). Create a new one at appleid.apple.com and reconnect the calendar with it.';
    case 'caldav':
      return 'The calendar server refused the stored user name and app password (they were revoked or changed). Reconnect the calendar with the current password.';
    default:
      return 'The calendar has no refresh token; the user must reconnect it.';
  }
}

/** Why the user must reconnect, as the account records it. */
const reauthMessage = (account: CalendarAccount): string => account.lastError ?? 'reconnect required';

/**
 * Refreshes a calendar account's access token once, however many callers ask at the same time:
 * callers queue on a per-account lock that every process honours, and those that find a
 * newer, still-usable token than the one they saw return without calling the provider. The
 * (possibly rotated) refresh token is stored sealed; `invalid_grant` parks the calendar account as
 * `needs_reauth`.
 */
export async function refreshAccountToken(
  deps: TokenRefreshDeps,
  accountId: string,
  seenTokenVersion: number,
  /** The caller's cancellation (an activity's): it ends the call to the token endpoint. */
  cancel?: AbortSignal,
): Promise<RefreshOutcome> {
  const now = deps.now ?? Date.now;
  return deps.calendarAccounts.withLockedAccount(accountId, async ({ account, refreshToken, inLock }): Promise<RefreshOutcome> => {
    if (account.status === 'disconnected') return { kind: 'gone' };
    if (account.status === 'needs_reauth') return { kind: 'reauth', message: reauthMessage(account) };
    const expiresAt = account.tokenExpiresAt?.getTime() ?? 0;
    if (account.tokenVersion > seenTokenVersion && expiresAt - now() > TOKEN_MIN_USABLE_MS) {
      return { kind: 'fresh', expiresAt: new Date(expiresAt), tokenVersion: account.tokenVersion };
    }
    const audit = {
      connectionId: account.id,
      userId: account.userId,
      provider: account.provider,
      operation: 'refresh_token' as const,
    };
    if (!refreshToken) {
      const message = refusedWithoutRenewal(account);
      await inLock.markNeedsReauth(message);
      await inLock.appendSyncLog([{ ...audit, outcome: 'needs_reauth', detail: message }]);
      return { kind: 'reauth', message };
    }
    try {
      const tokens = await deps.providers.oauth(account.provider).refresh(refreshToken, cancel);
      const tokenVersion = await inLock.storeTokens(tokens);
      await inLock.appendSyncLog([{ ...audit, outcome: 'ok' }]);
      deps.logger.info({ connectionId: accountId }, 'access token refreshed');
      return { kind: 'refreshed', expiresAt: tokens.expiresAt, tokenVersion };
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'invalid_grant') {
        const message = `The calendar provider refused the stored grant (${err.message}); the user must reconnect.`;
        await inLock.markNeedsReauth(message);
        await inLock.appendSyncLog([{ ...audit, outcome: 'needs_reauth', detail: err.message }]);
        deps.logger.warn({ connectionId: account.id, provider: account.provider }, 'connection needs re-authentication');
        return { kind: 'reauth', message };
      }
      return { kind: 'error', err, tokenVersion: account.tokenVersion };
    }
  });
}

/**
 * Usable credentials for a call made outside a workflow (the API listing a user's calendars):
 * the app password of a CalDAV account, or an access token refreshed first when it is
 * expiring. Throws ProviderError when there are none.
 */
export async function usableCredentials(deps: TokenRefreshDeps, accountId: string): Promise<Credentials> {
  const now = deps.now ?? Date.now;
  for (let attempt = 0; attempt < 2; attempt++) {
    const check = await checkCredentials(deps.calendarAccounts, accountId, now());
    if (check.kind === 'usable') return check.credentials;
    if (check.kind === 'gone') throw new ProviderError('rejected', 'the connection is disconnected');
    if (check.kind === 'needs_reauth') throw new ProviderError('invalid_grant', reauthMessage(check.account));
    const outcome = await refreshAccountToken(deps, accountId, check.account.tokenVersion);
    if (outcome.kind === 'reauth') throw new ProviderError('invalid_grant', outcome.message);
    if (outcome.kind === 'gone') throw new ProviderError('rejected', 'the connection is disconnected');
    if (outcome.kind === 'error') throw outcome.err;
  }
  throw new ProviderError('transient', 'the access token could not be refreshed');
}
