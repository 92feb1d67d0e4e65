import { createDAVClient } from 'tsdav';
import { ProviderError, type CalendarInfo } from '../types';
import { authHeaders, TIMEOUT_MS } from './dav';

export interface DiscoveredAccount {
  calendars: CalendarInfo[];
}

/**
 * Verifies CalDAV credentials and finds the account's calendars: one authenticated PROPFIND
 * first, so a wrong password, an unreachable host and a server that is not CalDAV each get a
 * precise error; then tsdav's discovery (well-known URL, principal, calendar home, following
 * redirects to partition hosts such as iCloud's pNN-caldav.icloud.com).
 */
export async function discoverCalDav(input: { serverUrl: string; username: string; password: string }): Promise<DiscoveredAccount> {
  const credentials = { kind: 'basic' as const, username: input.username, password: input.password };
  let probe: Response;
  try {
    probe = await fetch(input.serverUrl, {
      method: 'PROPFIND',
      headers: { ...authHeaders(credentials), depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new ProviderError('transient', `the CalDAV server could not be reached (${err instanceof Error ? err.name : 'error'})`);
  }
  if (probe.status === 401 || probe.status === 403) throw new ProviderError('unauthorized', 'the CalDAV server refused the user name or password', { status: probe.status });
  if (probe.status !== 207) throw new ProviderError('rejected', `the server does not answer like a CalDAV server (PROPFIND gave ${probe.status})`, { status: probe.status });

  try {
    const client = await createDAVClient({
      serverUrl: input.serverUrl,
      credentials: { username: input.username, password: input.password },
      authMethod: 'Basic',
      defaultAccountType: 'caldav',
    });
    const calendars = await client.fetchCalendars();
    return {
      calendars: calendars
        .filter((c) => !c.components || c.components.includes('VEVENT'))
        .map((c, i) => ({
          id: c.url,
          name: typeof c.displayName === 'string' && c.displayName ? c.displayName : c.url,
          primary: i === 0,
          writable: true,
          ...(c.timezone ? { timeZone: c.timezone } : {}),
        })),
    };
  } catch (err) {
    throw new ProviderError('rejected', `CalDAV discovery failed (${err instanceof Error ? err.message.slice(0, 200) : 'error'})`);
  }
}
