import { isIP } from 'node:net';
import { ProviderError } from '../types';

const MAX_REDIRECTS = 5;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** The domain a host belongs to for this purpose: `p42-caldav.icloud.com` → `icloud.com`. */
function parentDomain(hostname: string): string | undefined {
  if (isIP(hostname) !== 0) return undefined;
  const labels = hostname.toLowerCase().split('.');
  return labels.length >= 3 ? labels.slice(1).join('.') : undefined;
}

/**
 * Whether the app password may be sent to `to` when the account lives at `from`: the same host
 * (any port), or a sibling under the same parent domain, the way iCloud moves an account from
 * caldav.icloud.com to its partition host pNN-caldav.icloud.com; never from https down to http.
 */
export function mayCarryCredentials(from: URL, to: URL): boolean {
  if (from.protocol === 'https:' && to.protocol !== 'https:') return false;
  if (from.hostname.toLowerCase() === to.hostname.toLowerCase()) return true;
  const parent = parentDomain(from.hostname);
  return parent !== undefined && to.hostname.toLowerCase().endsWith(`.${parent}`);
}

function urlOf(input: Parameters<typeof fetch>[0]): URL {
  return new URL(input instanceof Request ? input.url : input.toString());
}

/**
 * `fetch` for CalDAV, given to tsdav and used for our own reads. It follows redirects itself:
 * the platform's fetch drops `Authorization` on a cross-origin redirect (so a partition-host
 * redirect would look like a wrong password), and a redirect to a foreign site must not receive
 * the password at all — that one is refused with a clear error instead.
 */
export const davFetch: typeof fetch = async (input, init = {}) => {
  if (init.redirect === 'manual' || init.redirect === 'error') return fetch(input, init);
  let url = urlOf(input);
  let request: RequestInit = { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    const res = await fetch(url, request);
    const location = res.headers.get('location');
    if (!REDIRECT.has(res.status) || location === null) return res;
    if (hop >= MAX_REDIRECTS) throw new ProviderError('rejected', `the CalDAV server redirected more than ${MAX_REDIRECTS} times`, { status: res.status });
    const next = new URL(location, url);
    if (!mayCarryCredentials(url, next)) {
      throw new ProviderError('rejected', `the CalDAV server redirected to another site (${next.host}); the password is not sent there`, { status: res.status });
    }
    await res.body?.cancel();
    // 303 turns the request into a GET, as fetch itself would.
    if (res.status === 303) request = { ...request, method: 'GET', body: undefined };
    url = next;
  }
};
