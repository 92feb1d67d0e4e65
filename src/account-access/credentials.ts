import type { CalendarAccount, CalendarAccountStore } from '../db/calendar-accounts';
import type { Credentials } from '../providers/types';
import { refreshDue, TOKEN_MIN_USABLE_MS } from './refresh-due';

/**
 * What a stored calendar account offers a provider call now. The one rule for every caller:
 * activities turn each case into a failure their workflow acts on (it refreshes the token in an
 * activity of its own), calls outside a workflow refresh an expired token in place.
 */
export type CredentialCheck =
  | { kind: 'gone' }
  | { kind: 'needs_reauth'; account: CalendarAccount }
  | { kind: 'expired'; account: CalendarAccount }
  | { kind: 'usable'; account: CalendarAccount; credentials: Credentials };

export interface CredentialCheckOptions {
  /**
   * The token was refreshed just before this call: use it while it is usable at all, even when
   * the provider issues short-lived ones, instead of refreshing in a loop.
   */
  justRefreshed?: boolean;
}

export async function checkCredentials(
  calendarAccounts: Pick<CalendarAccountStore, 'getWithCredentials'>,
  accountId: string,
  now: number,
  options: CredentialCheckOptions = {},
): Promise<CredentialCheck> {
  const loaded = await calendarAccounts.getWithCredentials(accountId);
  if (!loaded || loaded.account.status === 'disconnected') return { kind: 'gone' };
  const { account, credentials } = loaded;
  if (account.status === 'needs_reauth') return { kind: 'needs_reauth', account };
  // App passwords do not expire; only OAuth tokens are refreshed.
  if (credentials?.kind === 'basic') return { kind: 'usable', account, credentials };
  const due = refreshDue(account, now, options.justRefreshed ? TOKEN_MIN_USABLE_MS : undefined);
  if (!credentials || due) return { kind: 'expired', account };
  return { kind: 'usable', account, credentials };
}
