import { getDomain } from 'tldts';
import { AddressRefusedError } from '../../net/guarded-fetch';
import { ProviderError, type Credentials } from '../types';
import { boundedFetch } from './bounded-body';
import { DEFAULT_READ_LIMITS } from './limits';

const MAX_REDIRECTS = 5;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * The registrable domain of a host by the Public Suffix List, private suffixes included
 * (`p42-caldav.icloud.com` → `icloud.com`, `a.example.co.uk` → `example.co.uk`,
 * `me.github.io` → itself); undefined for an address or a bare suffix.
 */
function registrableDomain(hostname: string): string | undefined {
  return getDomain(hostname, { allowPrivateDomains: true }) ?? undefined;
}

/**
 * Whether the app password may be sent to `to` when the account lives at `from`: the same host
 * (any port), or one under the same registrable domain, the way iCloud moves an account from
 * caldav.icloud.com to its partition host pNN-caldav.icloud.com; never from https down to http.
 */
export function mayCarryCredentials(from: URL, to: URL): boolean {
  if (from.protocol === 'https:' && to.protocol !== 'https:') return false;
  if (from.hostname.toLowerCase() === to.hostname.toLowerCase()) return true;
  const domain = registrableDomain(from.hostname);
  return domain !== undefined && registrableDomain(to.hostname) === domain;
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
 * How CalDAV requests leave this process: a fetch that never follows redirects itself and
 * refuses addresses the deployment does not allow (`guardedFetch`), one per provider so its
 * connections are reused.
 */
export type Transport = typeof fetch;

/** `transport`, its address refusals turned into the provider's own error (before anything was sent). */
function refusing(transport: Transport): Transport {
  return async (input, init) => {
    try {
      return await transport(input, init);
    } catch (err) {
      if (err instanceof AddressRefusedError)
        throw new ProviderError('rejected', `the CalDAV server's address is refused: ${err.message}`, { reason: 'address_refused' });
      throw err;
    }
  };
}

/**
 * `fetch` for one CalDAV account, given to tsdav and used for our own reads. Every request
 * (whatever URL tsdav took from a redirect or a PROPFIND answer) must go where the password may
 * go for `serverUrl`, else it is refused before anything is sent. It also follows redirects
 * itself: the platform's fetch drops `Authorization` on a cross-origin redirect (so a
 * partition-host redirect would look like a wrong password).
 */
export function davFetchFor(serverUrl: string, transport: Transport): typeof fetch {
  const server = new URL(serverUrl);
  return async (input, init = {}) => {
    const first = urlOf(input);
    refuseForeign(server, first);
    if (init.redirect === 'manual' || init.redirect === 'error') return transport(input, init);
    return follow(server, first, init, transport);
  };
}

async function follow(server: URL, start: URL, init: RequestInit, transport: Transport): Promise<Response> {
  let url = start;
  let request: RequestInit = { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    const res = await transport(url, request);
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
 * The fetch for an account's credentials, over `transport`: bound to its server when it has an
 * app password; `cancel` (the caller's cancellation) ends its requests; response bodies are
 * size-limited.
 */
export function accountFetch(credentials: Credentials, transport: Transport, cancel?: AbortSignal): typeof fetch {
  const guarded = refusing(transport);
  const base = cancellable(credentials.kind === 'basic' ? davFetchFor(credentials.serverUrl, guarded) : guarded, cancel);
  return boundedFetch(base, DEFAULT_READ_LIMITS.maxResponseBytes);
}
