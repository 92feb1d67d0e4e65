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
  | { kind: 'needs_reauth'; connection: CalendarAccount }
  | { kind: 'expired'; connection: CalendarAccount }
  | { kind: 'usable'; connection: CalendarAccount; credentials: Credentials };

export interface CredentialCheckOptions {
  /**
   * The token was refreshed just before this call: use it while it is usable at all, even when
   * the provider issues short-lived ones, instead of refreshing in a loop.
   */
  justRefreshed?: boolean;
}

export async function checkCredentials(
  connections: Pick<CalendarAccountStore, 'getWithCredentials'>,
  connectionId: string,
  now: number,
  options: CredentialCheckOptions = {},
): Promise<CredentialCheck> {
  const loaded = await connections.getWithCredentials(connectionId);
  if (!loaded || loaded.connection.status === 'disconnected') return { kind: 'gone' };
  const { connection, credentials } = loaded;
  if (connection.status === 'needs_reauth') return { kind: 'needs_reauth', connection };
  // App passwords do not expire; only OAuth tokens are refreshed.
  if (credentials?.kind === 'basic') return { kind: 'usable', connection, credentials };
  const due = refreshDue(connection, now, options.justRefreshed ? TOKEN_MIN_USABLE_MS : undefined);
  if (!credentials || due) return { kind: 'expired', connection };
  return { kind: 'usable', connection, credentials };
}
