import type { ConnectErrorCode } from '../../account-access/oauth-connect';
import { escapeHtml, page } from './layout';

const MESSAGES: Record<ConnectErrorCode, string> = {
  access_denied: 'You did not allow access to your calendar. Nothing was connected.',
  invalid_state: 'This connection attempt is not valid. Start again from the app.',
  expired_state: 'This connect link has expired. Start again from the app to get a new one.',
  state_already_used: 'This connect link was already used. Start again from the app to get a new one.',
  missing_code: 'The calendar provider did not return an authorization. Please try again.',
  token_exchange_failed: 'The calendar provider refused the authorization. Please try again.',
  no_refresh_token: 'The calendar provider did not grant lasting access. Please try again and accept all requested permissions.',
  insufficient_scope:
    'Some permissions this service needs to keep your calendar in step were not granted. Please try again and leave every requested permission ticked.',
  account_lookup_failed: 'We could not read your calendar account. Please try again.',
  provider_not_configured: 'This calendar provider is not available.',
  browser_mismatch:
    'This connection was started in another browser (or this browser did not keep its cookie). Nothing was connected. Start again from the app, in this browser.',
  connection_limit_reached: 'You already have as many connected calendars as allowed. Disconnect one before connecting another.',
  too_many_connect_attempts: 'Too many attempts to connect a calendar in the last hour. Please try again later.',
};

/**
 * The text for an error code, which may come from a URL: only the table's own entries count, so
 * `constructor`, `__proto__` or `toString` get the general message, not a prototype's member.
 */
export function connectResultMessage(code: string): string {
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code as ConnectErrorCode] : 'The calendar could not be connected. Please try again.';
}

/** Shown when there is no return URL to send the browser back to. */
export function connectResultPage(result: { ok: true; accountEmail: string | null } | { ok: false; error: ConnectErrorCode }): string {
  if (result.ok) {
    return page(
      'Calendar connected',
      `<div class="card"><h1 class="ok">Calendar connected</h1>
<p>${result.accountEmail ? `${escapeHtml(result.accountEmail)} is now connected.` : 'Your calendar is now connected.'}
Your bookings will appear in it shortly. You can close this window.</p></div>`,
    );
  }
  return page(
    'Calendar not connected',
    `<div class="card"><h1 class="bad">Calendar not connected</h1>
<p>${escapeHtml(connectResultMessage(result.error))}</p><p class="muted">Error code: <code>${escapeHtml(result.error)}</code></p></div>`,
  );
}
