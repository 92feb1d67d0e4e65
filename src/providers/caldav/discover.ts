import { createAccount, fetchCalendars } from 'tsdav';
import { ProviderError, type CalendarInfo } from '../types';
import { authHeaders, TIMEOUT_MS } from './dav';
import { accountFetch, mayCarryCredentials, type Transport } from './dav-fetch';

export interface DiscoveredAccount {
  calendars: CalendarInfo[];
}

const fetchOptions = () => ({ signal: AbortSignal.timeout(TIMEOUT_MS) });

/**
 * Verifies CalDAV credentials and finds the account's calendars: one authenticated PROPFIND
 * first, so a wrong password, an unreachable host and a server that is not CalDAV each get a
 * precise error; then discovery (well-known URL, principal, calendar home, calendars), with
 * redirects to partition hosts such as iCloud's pNN-caldav.icloud.com followed.
 */
export async function discoverCalDav(
  input: { serverUrl: string; username: string; password: string },
  transport: Transport,
  cancel?: AbortSignal,
): Promise<DiscoveredAccount> {
  const credentials = { kind: 'basic' as const, ...input };
  const headers = authHeaders(credentials);
  const davFetch = accountFetch(credentials, transport, cancel);
  let probe: Response;
  try {
    probe = await davFetch(input.serverUrl, {
      method: 'PROPFIND',
      headers: { ...headers, depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
      ...fetchOptions(),
    });
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('transient', `the CalDAV server could not be reached (${err instanceof Error ? err.name : 'error'})`);
  }
  if (probe.status === 401 || probe.status === 403)
    throw new ProviderError('unauthorized', 'the CalDAV server refused the user name or password', { status: probe.status });
  if (probe.status !== 207)
    throw new ProviderError('rejected', `the server does not answer like a CalDAV server (PROPFIND gave ${probe.status})`, {
      status: probe.status,
    });

  try {
    const account = await createAccount({
      account: { serverUrl: input.serverUrl, accountType: 'caldav' },
      headers,
      fetchOptions: fetchOptions(),
      fetch: davFetch,
    });
    if (!account.homeUrl) throw new ProviderError('rejected', 'the CalDAV server names no calendar home for this account');
    // Calendar hrefs are relative to the calendar home, which may live on another (partition)
    // host than the server URL; tsdav resolves them against its root URL, so give it the home.
    const calendars = await fetchCalendars({
      account: { ...account, rootUrl: account.homeUrl },
      headers,
      fetchOptions: fetchOptions(),
      fetch: davFetch,
    });
    const server = new URL(input.serverUrl);
    return {
      calendars: calendars
        .filter((c) => !c.components || c.components.length === 0 || c.components.includes('VEVENT'))
        // The password only goes where it may (see mayCarryCredentials).
        .filter((c) => mayCarryCredentials(server, new URL(c.url)))
        .map((c, i) => ({
          id: c.url,
          name: typeof c.displayName === 'string' && c.displayName ? c.displayName : c.url,
          primary: i === 0,
          writable: true,
          ...(c.timezone ? { timeZone: c.timezone } : {}),
        })),
    };
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('rejected', `CalDAV discovery failed (${err instanceof Error ? err.message.slice(0, 200) : 'error'})`);
  }
}
