import type { SecretBox } from '../crypto/secret-box';
import { toCalendarAccount, type CalendarAccountRow } from './calendar-account-row';
import type { AccountWithCredentials } from './calendar-account-store';
import { openSealed } from './sealed-columns';

/** The row's account and what a provider call authenticates with, its secrets opened. */
export function withCredentials(box: SecretBox, row: CalendarAccountRow): AccountWithCredentials {
  const account = toCalendarAccount(row);
  if (row.password_enc && row.account_email_enc && row.server_url) {
    return {
      account,
      credentials: {
        kind: 'basic',
        username: openSealed(box, row.id, 'account_email', row.account_email_enc),
        password: openSealed(box, row.id, 'password', row.password_enc),
        serverUrl: row.server_url,
      },
    };
  }
  return {
    account,
    credentials: row.access_token_enc
      ? { kind: 'bearer', accessToken: openSealed(box, row.id, 'access_token', row.access_token_enc) }
      : null,
  };
}
