import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AddressRefusedError, guardedFetch, type Resolver } from '../../src/net/guarded-fetch';
import { accountFetch } from '../../src/providers/caldav/dav-fetch';
import { ProviderError } from '../../src/providers';

/** A resolver that knows only `names`, recording what it was asked. */
function resolverOf(names: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const found = names[hostname];
    if (!found) return Promise.reject(Object.assign(new Error(`unknown ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return Object.assign(resolve, { asked });
}

async function refusal(promise: Promise<unknown>): Promise<AddressRefusedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AddressRefusedError);
  return err as AddressRefusedError;
}

describe('guardedFetch', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback', '::1'],
    ['private', '10.0.0.7'],
    ['private', '192.168.0.1'],
    ['private', 'fd00:ec2::254'],
    ['shared (CGNAT)', '100.64.1.1'],
    ['link-local', '169.254.169.254'],
    ['link-local', 'fe80::1'],
    ['unspecified', '0.0.0.0'],
    ['multicast', '224.0.0.251'],
    ['loopback', '::ffff:127.0.0.1'],
  ])('refuses a name that resolves to a %s address (%s) before connecting', async (cls, address) => {
    const resolve = resolverOf({ 'dav.example.com': [address] });
    const err = await refusal(guardedFetch(false, resolve)('http://dav.example.com:5232/dav/', { method: 'PROPFIND' }));
    expect(err.addressClass).toBe(cls);
    expect(err.address).toBe(address);
    expect(resolve.asked).toEqual(['dav.example.com']);
  });

  it('refuses a name with any refused address among public ones (no picking the public one)', async () => {
    const resolve = resolverOf({ 'dav.example.com': ['93.184.216.34', '127.0.0.1'] });
    expect((await refusal(guardedFetch(false, resolve)('https://dav.example.com/'))).address).toBe('127.0.0.1');
  });

  it.each([
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/', 'link-local'],
    ['http://[fd00:ec2::254]/', 'private'],
    ['http://167772161/', 'private'],
  ])('refuses the literal %s (%s) without resolving anything', async (url, cls) => {
    const resolve = resolverOf({});
    expect((await refusal(guardedFetch(false, resolve)(url))).addressClass).toBe(cls);
    expect(resolve.asked).toEqual([]);
  });

  it('judges `localhost.` by what it resolves to', async () => {
    const resolve = resolverOf({ 'localhost.': ['127.0.0.1', '::1'] });
    expect((await refusal(guardedFetch(false, resolve)('http://localhost.:8080/'))).addressClass).toBe('loopback');
  });
});

describe('a CalDAV account over the guard', () => {
  it('refuses a redirect hop to a sibling host that resolves to a private address, as the provider error address_refused', async () => {
    const resolve = resolverOf({ 'inner.example.com': ['10.0.0.5'] });
    const guarded = guardedFetch(false, resolve);
    const hops: string[] = [];
    // The account's own server answers with a redirect to a host under the same domain.
    const transport: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      hops.push(url);
      if (new URL(url).hostname === 'dav.example.com')
        return Promise.resolve(new Response(null, { status: 307, headers: { location: 'https://inner.example.com/cal/' } }));
      return guarded(input, init);
    };
    const credentials = { kind: 'basic' as const, serverUrl: 'https://dav.example.com/', username: 'u', password: 'p' };
    const err = await accountFetch(credentials, transport)('https://dav.example.com/', { method: 'PROPFIND' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).details.reason).toBe('address_refused');
    expect(hops).toEqual(['https://dav.example.com/', 'https://inner.example.com/cal/']);
    expect(resolve.asked).toEqual(['inner.example.com']);
  });
});
