import { refreshDue, TOKEN_MIN_USABLE_MS } from '../connections/refresh-due';
import type { AccessContext, ProviderKind } from '../providers/types';
import type { ActivityDeps } from './deps';
import { connectionUnavailable, reauthRequired, tokenExpired } from './failures';

export interface AccessInput {
  connectionId: string;
  /** Right after a refresh: use the new token even if it is short-lived (see CalendarEventInput). */
  tokenJustRefreshed?: boolean;
  /** The calendar to act on, when it is not the connection's current one. */
  calendarId?: string;
}

export interface ConnectionAccess {
  ctx: AccessContext;
  provider: ProviderKind;
  tokenVersion: number;
}

/**
 * Loads a connection and usable credentials for a provider call, or fails the way workflows
 * expect: gone, needs re-authentication, or token expired (the workflow refreshes and retries).
 */
export async function connectionAccess(deps: ActivityDeps, now: number, input: AccessInput): Promise<ConnectionAccess> {
  const loaded = await deps.connections.getWithCredentials(input.connectionId);
  if (!loaded || loaded.connection.status === 'disconnected') {
    throw connectionUnavailable(`calendar connection ${input.connectionId} is no longer connected`);
  }
  const { connection, credentials } = loaded;
  if (connection.status === 'needs_reauth') throw reauthRequired('the calendar connection needs to be reconnected');
  const calendarId = input.calendarId ?? connection.calendarId;
  // App passwords do not expire; only OAuth tokens are refreshed.
  if (credentials?.kind === 'basic') return { ctx: { credentials, calendarId }, provider: connection.provider, tokenVersion: connection.tokenVersion };
  const accessToken = credentials?.accessToken;
  const due = input.tokenJustRefreshed ? refreshDue(connection, now, TOKEN_MIN_USABLE_MS) : refreshDue(connection, now);
  if (!accessToken || due) throw tokenExpired(connection.tokenVersion, 'access token expired or about to expire');
  return { ctx: { credentials: { kind: 'bearer', accessToken }, calendarId }, provider: connection.provider, tokenVersion: connection.tokenVersion };
}
