import type { CalendarAccount, CalendarAccountStore } from '../db/calendar-accounts';
import type { Logger } from '../logging';
import type { DiscoveredAccount } from '../providers/caldav';
import { ProviderError } from '../providers/types';
import { connectionLimitReached } from './connect-limits';

export type CalDavConnectError =
  'invalid_credentials' | 'caldav_unreachable' | 'caldav_not_supported' | 'no_calendar' | 'connection_limit_reached';

export interface CalDavConnectInput {
  userId: string;
  provider: 'caldav' | 'icloud';
  serverUrl?: string;
  username: string;
  password: string;
}

export type CalDavConnectResult =
  { ok: true; account: CalendarAccount; created: boolean } | { ok: false; error: CalDavConnectError; message: string };

/**
 * What the user is told when the server failed or was refused: never its status or answer, so
 * the form cannot be used to learn what answers at an address (the log has the details).
 */
export const CALDAV_UNREACHABLE_MESSAGE = 'The calendar server could not be reached. Check the server URL and try again later.';
export const CALDAV_NOT_SUPPORTED_MESSAGE =
  'That server could not be used as a CalDAV calendar. Check the server URL (your provider names its CalDAV address) and try again.';

/**
 * Connects a CalDAV or iCloud account: the credentials are verified by discovery before
 * anything is stored; then the account's default calendar is chosen and the app password
 * stored sealed (a reconnect of the same account updates it).
 */
export async function connectCalDav(
  deps: {
    calendarAccounts: Pick<CalendarAccountStore, 'upsertCalDav'>;
    icloudCaldavUrl: string;
    /** A new account is refused when the user already has this many that are not disconnected. */
    maxConnectionsPerUser: number;
    /** Discovery over the guarded transport (`discoverCalDav`); throws `ProviderError`. */
    discover(input: { serverUrl: string; username: string; password: string }): Promise<DiscoveredAccount>;
    logger: Pick<Logger, 'info'>;
    onConnected(account: CalendarAccount, created: boolean): Promise<void>;
  },
  input: CalDavConnectInput,
): Promise<CalDavConnectResult> {
  const serverUrl = input.provider === 'icloud' ? (input.serverUrl ?? deps.icloudCaldavUrl) : input.serverUrl;
  if (!serverUrl) return { ok: false, error: 'caldav_not_supported', message: 'a server URL is required for a CalDAV calendar' };
  let calendars;
  try {
    ({ calendars } = await deps.discover({ serverUrl, username: input.username, password: input.password }));
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    deps.logger.info(
      { provider: input.provider, serverHost: hostOf(serverUrl), kind: err.kind, status: err.details.status, detail: err.message },
      'CalDAV account refused at connect',
    );
    if (err.kind === 'unauthorized') {
      const hint = input.provider === 'icloud' ? ' For iCloud, create an app-specific password at appleid.apple.com and use it here.' : '';
      return { ok: false, error: 'invalid_credentials', message: `The server refused this user name and password.${hint}` };
    }
    // A refused address reads as an unreachable server: it cannot be reached from here.
    if (err.kind === 'transient' || err.details.reason === 'address_refused')
      return { ok: false, error: 'caldav_unreachable', message: CALDAV_UNREACHABLE_MESSAGE };
    return { ok: false, error: 'caldav_not_supported', message: CALDAV_NOT_SUPPORTED_MESSAGE };
  }
  const calendar = calendars.find((c) => c.primary) ?? calendars[0];
  if (!calendar) return { ok: false, error: 'no_calendar', message: 'The account has no calendar that can hold events.' };
  const stored = await deps.calendarAccounts.upsertCalDav(
    {
      userId: input.userId,
      provider: input.provider,
      serverUrl,
      calendarUrl: calendar.id,
      username: input.username,
      password: input.password,
    },
    { maxActive: deps.maxConnectionsPerUser },
  );
  if ('limitReached' in stored) {
    const refusal = connectionLimitReached(stored.limit);
    return { ok: false, error: refusal.code, message: refusal.message };
  }
  const { account, created } = stored;
  await deps.onConnected(account, created);
  return { ok: true, account, created };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
