import { isIP } from 'node:net';
import { ProviderError, type Credentials } from '../types';
import { boundedFetch } from './bounded-body';
import { DEFAULT_READ_LIMITS } from './limits';

const MAX_REDIRECTS = 5;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * The domain a host belongs to for this purpose: `p42-caldav.icloud.com` → `icloud.com`. A
 * parent that looks like a public suffix (`co.uk`, `com.au`: a short label under a country
 * code) does not count, so `a.example.co.uk` and `b.other.co.uk` are not siblings.
 */
function parentDomain(hostname: string): string | undefined {
  if (isIP(hostname) !== 0) return undefined;
  const parent = hostname.toLowerCase().split('.').slice(1);
  const suffixLike = parent.length === 2 && parent[1]!.length === 2 && parent[0]!.length <= 3;
  return parent.length >= 2 && !suffixLike ? parent.join('.') : undefined;
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

function refuseForeign(from: URL, to: URL, status?: number): void {
  if (!mayCarryCredentials(from, to)) {
    throw new ProviderError(
      'rejected',
      `the CalDAV server sent us to another site (${to.host}); the password is not sent there`,
      status ? { status } : {},
    );
  }
}

/**
 * `fetch` for one CalDAV account, given to tsdav and used for our own reads. Every request
 * (whatever URL tsdav took from a redirect or a PROPFIND answer) must go where the password may
 * go for `serverUrl`, else it is refused before anything is sent. It also follows redirects
 * itself: the platform's fetch drops `Authorization` on a cross-origin redirect (so a
 * partition-host redirect would look like a wrong password).
 */
export function davFetchFor(serverUrl: string): typeof fetch {
  const server = new URL(serverUrl);
  return async (input, init = {}) => {
    const first = urlOf(input);
    refuseForeign(server, first);
    if (init.redirect === 'manual' || init.redirect === 'error') return fetch(input, init);
    return follow(server, first, init);
  };
}

async function follow(server: URL, start: URL, init: RequestInit): Promise<Response> {
  let url = start;
  let request: RequestInit = { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    const res = await fetch(url, request);
    const location = res.headers.get('location');
    if (!REDIRECT.has(res.status) || location === null) return res;
    if (hop >= MAX_REDIRECTS)
      throw new ProviderError('rejected', `the CalDAV server redirected more than ${MAX_REDIRECTS} times`, { status: res.status });
    const next = new URL(location, url);
    refuseForeign(server, next, res.status);
    await res.body?.cancel();
    // 303 turns the request into a GET, as fetch itself would.
    if (res.status === 303) request = { ...request, method: 'GET', body: undefined };
    url = next;
  }
}

/** `base`, with every request also ended when `cancel` aborts (whatever signal tsdav or we gave it). */
function cancellable(base: typeof fetch, cancel: AbortSignal | undefined): typeof fetch {
  if (!cancel) return base;
  return (input, init = {}) => base(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, cancel]) : cancel });
}

/**
 * The fetch for an account's credentials: bound to its server when it has an app password;
 * `cancel` (the caller's cancellation) ends its requests; response bodies are size-limited.
 */
export function accountFetch(credentials: Credentials, cancel?: AbortSignal): typeof fetch {
  const base = cancellable(credentials.kind === 'basic' ? davFetchFor(credentials.serverUrl) : fetch, cancel);
  return boundedFetch(base, DEFAULT_READ_LIMITS.maxResponseBytes);
}
