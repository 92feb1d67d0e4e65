import http from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALDAV_UNREACHABLE_MESSAGE } from '../../src/account-access/caldav-connect';
import { guardedFetch } from '../../src/net/guarded-fetch';
import { createProviderRegistry, ProviderError } from '../../src/providers';
import { discoverCalDav } from '../../src/providers/caldav';
import { startHarness, type Harness } from '../support/harness';

/** A listener that records every request and answers like a CalDAV server would not. */
interface Listener {
  port: number;
  requests: string[];
  close(): Promise<void>;
}

async function listen(host: string, handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Listener> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.headers.host}${req.url}`);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let h: Harness;
/** The internal service an attacker would probe: on every loopback address (IPv4, IPv6, mapped). */
let victim: Listener;

beforeAll(async () => {
  victim = await listen('::', (_req, res) => res.writeHead(207, { 'content-type': 'application/xml' }).end('<multistatus/>'));
  h = await startHarness({ CALDAV_ALLOW_PRIVATE_NETWORKS: 'false' });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await victim?.close();
});

const refusalLogs = () => h.logs.filter((l) => l.includes('CalDAV account refused at connect'));

async function connectTo(serverUrl: string) {
  const userId = h.id('prober');
  const before = refusalLogs().length;
  const res = await h.api<{ code: string; detail: string }>('POST', `/v1/users/${userId}/connections`, {
    provider: 'caldav',
    serverUrl,
    username: 'probe',
    password: 'probe-password',
  });
  return { res, logged: refusalLogs().slice(before).join('\n') };
}

describe('CalDAV server URLs that reach non-public addresses (CALDAV_ALLOW_PRIVATE_NETWORKS=false)', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:PORT/'],
    ['loopback', 'http://2130706433:PORT/'],
    ['loopback', 'http://0x7f.1:PORT/'],
    ['loopback', 'http://0177.0.0.01:PORT/'],
    ['loopback', 'http://127.1:PORT/'],
    ['loopback', 'http://[::1]:PORT/'],
    ['loopback', 'http://[::ffff:127.0.0.1]:PORT/'],
    ['loopback', 'http://localhost:PORT/'],
    ['unspecified', 'http://0.0.0.0:PORT/'],
    ['unspecified', 'http://[::]:PORT/'],
  ])('%s %s: the listener gets nothing and the answer is generic', async (cls, url) => {
    const { res, logged } = await connectTo(url.replace('PORT', String(victim.port)));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'caldav_unreachable', detail: CALDAV_UNREACHABLE_MESSAGE });
    expect(res.body).not.toHaveProperty('errors');
    expect(logged).toContain(`${cls} address, not allowed`);
    expect(victim.requests).toEqual([]);
  });

  it.each([
    ['private', 'http://10.0.0.1/'],
    ['private', 'http://172.16.0.1/'],
    ['private', 'http://192.168.0.1/'],
    ['private', 'http://[fd00:ec2::254]/'],
    ['shared (CGNAT)', 'http://100.64.0.1/'],
    ['link-local', 'http://169.254.169.254/latest/meta-data/'],
    ['link-local', 'http://[fe80::1]/'],
    ['multicast', 'http://224.0.0.1/'],
    ['multicast', 'http://[ff02::1]/'],
    ['private', 'http://[::ffff:10.0.0.1]/'],
  ])('%s %s is refused before connecting, with the generic answer', async (cls, url) => {
    const { res, logged } = await connectTo(url);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'caldav_unreachable', detail: CALDAV_UNREACHABLE_MESSAGE });
    expect(res.body).not.toHaveProperty('errors');
    expect(logged).toContain(`${cls} address, not allowed`);
  });

  it('the settings form answers the same generic message', async () => {
    const userId = h.id('prober');
    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    // The link is exchanged for a session cookie, as a browser opening it does.
    const exchanged = await fetch(link.body.url, { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
    const cookie = exchanged.headers.getSetCookie().map((c) => c.split(';')[0]!)[0]!;
    const res = await fetch(`${h.config.publicBaseUrl}/settings/caldav`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.config.publicBaseUrl, cookie },
      body: new URLSearchParams({ provider: 'caldav', serverUrl: `http://2130706433:${victim.port}/`, username: 'probe', password: 'pw' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain(CALDAV_UNREACHABLE_MESSAGE.slice(0, 40));
    expect(page).not.toMatch(/loopback|207|PROPFIND/);
    expect(victim.requests).toEqual([]);
  });

  it("every request the worker's CalDAV provider makes goes through the guard of the deployment's setting", async () => {
    const providers = createProviderRegistry({ ...h.config, caldav: { allowPrivateNetworks: false } });
    const serverUrl = `http://localhost:${victim.port}/`;
    const ctx = {
      calendarId: `${serverUrl}calendars/ann/default/`,
      credentials: { kind: 'basic' as const, serverUrl, username: 'ann', password: 'app-password' },
    };
    for (const kind of ['caldav', 'icloud'] as const) {
      const provider = providers.calendar(kind);
      const calls: Array<() => Promise<unknown>> = [
        () => provider.readChanges(ctx, { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-01-08T00:00:00Z') }),
        () => provider.deleteEvent(ctx, { bookingId: 'b1', connectionId: 'c1' }, {}),
        () => provider.listCalendars(ctx),
      ];
      for (const call of calls) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ProviderError);
        expect((err as ProviderError).details.reason).toBe('address_refused');
      }
    }
    expect(victim.requests).toEqual([]);
  });
});

describe('redirects and names, with the resolver injected', () => {
  /** `front.ssrf.test` is an allowed server (127.0.0.2); `inner.ssrf.test`, under the same domain, is loopback. */
  const resolve = (hostname: string): Promise<LookupAddress[]> => {
    const address = { 'front.ssrf.test': '127.0.0.2', 'inner.ssrf.test': '127.0.0.1' }[hostname];
    return address ? Promise.resolve([{ address, family: 4 }]) : Promise.reject(new Error(`unknown ${hostname}`));
  };
  let front: Listener;
  beforeAll(async () => {
    front = await listen('127.0.0.2', (req, res) =>
      res.writeHead(307, { location: `http://inner.ssrf.test:${victim.port}${req.url}` }).end(),
    );
  });
  afterAll(() => front?.close());

  it('a redirect to a host of the same domain that resolves to loopback is refused at that hop', async () => {
    const transport = guardedFetch(['127.0.0.2/32'], resolve);
    const err = await discoverCalDav(
      { serverUrl: `http://front.ssrf.test:${front.port}/dav/`, username: 'ann', password: 'app-password' },
      transport,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).details.reason).toBe('address_refused');
    expect(front.requests.length).toBeGreaterThan(0);
    expect(victim.requests).toEqual([]);
  });

  it('a name that resolves to loopback is refused', async () => {
    const err = await discoverCalDav(
      { serverUrl: `http://inner.ssrf.test:${victim.port}/`, username: 'ann', password: 'app-password' },
      guardedFetch(false, resolve),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as ProviderError).details.reason).toBe('address_refused');
    expect(victim.requests).toEqual([]);
  });
});
