import type { CalendarAccount, CalendarAccountStore } from '../db/calendar-accounts';
import type { Logger } from '../logging';
import type { DiscoveredAccount } from '../providers/caldav';
import { ProviderError, type CalendarInfo } from '../providers/types';
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

/** Discovery over the guarded transport (`discoverCalDav`); throws `ProviderError`. */
type Discover = (input: { serverUrl: string; username: string; password: string }) => Promise<DiscoveredAccount>;

type Verified =
  | { ok: true; serverUrl: string; calendars: CalendarInfo[] }
  | { ok: false; error: Exclude<CalDavConnectError, 'connection_limit_reached'>; message: string };

/**
 * Verifies the credentials by discovery and finds the account's calendars. A refusal tells the
 * user what to fix, never what the server answered (the log has that).
 */
async function verifyCalDav(
  deps: { icloudCaldavUrl: string; discover: Discover; logger: Pick<Logger, 'info'> },
  input: Omit<CalDavConnectInput, 'userId'>,
): Promise<Verified> {
  const serverUrl = input.provider === 'icloud' ? (input.serverUrl ?? deps.icloudCaldavUrl) : input.serverUrl;
  if (!serverUrl) return { ok: false, error: 'caldav_not_supported', message: 'a server URL is required for a CalDAV calendar' };
  try {
    const { calendars } = await deps.discover({ serverUrl, username: input.username, password: input.password });
    if (calendars.length === 0) return { ok: false, error: 'no_calendar', message: 'The account has no calendar that can hold events.' };
    return { ok: true, serverUrl, calendars };
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
}

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
    discover: Discover;
    logger: Pick<Logger, 'info'>;
    onConnected(account: CalendarAccount, created: boolean): Promise<void>;
  },
  input: CalDavConnectInput,
): Promise<CalDavConnectResult> {
  const verified = await verifyCalDav(deps, input);
  if (!verified.ok) return verified;
  const calendar = verified.calendars.find((c) => c.primary) ?? verified.calendars[0]!;
  const stored = await deps.calendarAccounts.upsertCalDav(
    {
      userId: input.userId,
      provider: input.provider,
      serverUrl: verified.serverUrl,
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

export type CalDavReconnectError = Exclude<CalDavConnectError, 'connection_limit_reached'> | 'not_reconnectable' | 'already_connected';

export type CalDavReconnectResult =
  { ok: true; account: CalendarAccount } | { ok: false; error: CalDavReconnectError | 'account_not_found'; message: string };

/**
 * Signs an existing CalDAV or iCloud account in again (its app password was revoked or
 * changed): the credentials are verified by discovery, then the same account — its id, its
 * events, its bookings — takes them, and its bookings are synced again. The calendar events
 * go to is kept while the server still has it.
 */
export async function reconnectCalDav(
  deps: {
    calendarAccounts: Pick<CalendarAccountStore, 'reconnectCalDav'>;
    icloudCaldavUrl: string;
    discover: Discover;
    logger: Pick<Logger, 'info'>;
    onConnected(account: CalendarAccount, created: boolean): Promise<void>;
  },
  account: Pick<CalendarAccount, 'id' | 'provider' | 'calendarId'>,
  input: { serverUrl?: string; username: string; password: string },
): Promise<CalDavReconnectResult> {
  if (account.provider !== 'caldav' && account.provider !== 'icloud') {
    return { ok: false, error: 'not_reconnectable', message: 'This calendar is reconnected by signing in with its provider again.' };
  }
  const verified = await verifyCalDav(deps, { ...input, provider: account.provider });
  if (!verified.ok) return verified;
  const kept = verified.calendars.some((c) => c.id === account.calendarId);
  const calendar = verified.calendars.find((c) => c.primary) ?? verified.calendars[0]!;
  const stored = await deps.calendarAccounts.reconnectCalDav(account.id, {
    serverUrl: verified.serverUrl,
    username: input.username,
    password: input.password,
    ...(kept ? {} : { calendarUrl: calendar.id }),
  });
  if (stored === 'not_found') return { ok: false, error: 'account_not_found', message: 'That calendar is not connected any more.' };
  if (stored === 'other_account') {
    return {
      ok: false,
      error: 'already_connected',
      message: 'That user name on that server is connected already as another of your calendars.',
    };
  }
  await deps.onConnected(stored, false);
  return { ok: true, account: stored };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
