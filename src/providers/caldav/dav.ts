import { getBasicAuthHeaders } from 'tsdav';
import { ProviderError, type Credentials } from '../types';
import { accountFetch, type Transport } from './dav-fetch';
import { checkResponse } from './errors';

export const TIMEOUT_MS = 20_000;

export function authHeaders(credentials: Credentials): Record<string, string> {
  if (credentials.kind === 'bearer') return { authorization: `Bearer ${credentials.accessToken}` };
  const h = getBasicAuthHeaders({ username: credentials.username, password: credentials.password });
  return h.authorization ? { authorization: h.authorization } : {};
}

/**
 * The stored object and its ETag, or undefined when there is none. A plain GET: tsdav's
 * multiget throws on a missing object, and one resource needs no REPORT.
 */
export async function readObject(
  url: string,
  credentials: Credentials,
  transport: Transport,
  cancel?: AbortSignal,
): Promise<{ etag: string | undefined; data: string } | undefined> {
  let res: Response;
  try {
    res = await accountFetch(
      credentials,
      transport,
      cancel,
    )(url, {
      headers: { ...authHeaders(credentials), accept: 'text/calendar' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('transient', `CalDAV server unreachable (${err instanceof Error ? err.name : 'error'})`);
  }
  if (res.status === 404 || res.status === 410) return undefined;
  checkResponse(res, 'read');
  return { etag: res.headers.get('etag') ?? undefined, data: await res.text() };
}
