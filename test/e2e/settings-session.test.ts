import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, redirectOf } from 'calendar-emulators/consent-client';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The `name=value` pairs a response sets, as a browser would send them back. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
}

async function settingsLink(userId: string): Promise<string> {
  const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
  expect(link.status).toBe(201);
  return link.body.url;
}

/** Opens a settings link as a browser typing it in would (Sec-Fetch-Site: none). */
function open(url: string, headers: Record<string, string> = { 'sec-fetch-site': 'none' }): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers });
}

async function sessionOf(userId: string): Promise<string> {
  const res = await open(await settingsLink(userId));
  expect(res.status).toBe(303);
  return cookiesOf(res);
}

/** A settings form as the page posts it: the session cookie, and the browser's own-origin headers unless told otherwise. */
function post(path: string, form: Record<string, string>, headers: Record<string, string>): Promise<Response> {
  return fetch(`${h.config.publicBaseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

describe('settings sessions', () => {
  it('exchanges the link for a session cookie; afterwards no URL, form or stored flow carries the token', async () => {
    const userId = h.id('user');
    const url = await settingsLink(userId);
    const token = new URL(url).searchParams.get('token')!;

    // Opened directly: a redirect to the bare page, the session in a Strict, HttpOnly, __Host- cookie.
    const direct = await open(url);
    expect(direct.status).toBe(303);
    expect(direct.headers.get('location')).toBe(`${h.config.publicBaseUrl}/settings`);
    const setCookie = direct.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/^__Host-settings-session=[^;]+; Max-Age=1800; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
    expect(setCookie).not.toContain(token);
    // Opened from another site (a link in the app): a page that moves on to the bare URL.
    const fromApp = await open(url, { 'sec-fetch-site': 'cross-site' });
    expect(fromApp.status).toBe(200);
    expect(await fromApp.text()).toContain('<meta http-equiv="refresh" content="0;url=/settings">');
    expect(fromApp.headers.getSetCookie().join('\n')).toMatch(/^__Host-settings-session=.+SameSite=Strict$/);

    const cookie = cookiesOf(direct);
    const page = await fetch(`${h.config.publicBaseUrl}/settings`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Your calendars');
    expect(html).not.toContain(token);
    expect(html).not.toContain('token=');
    expect([...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1])).toEqual([
      '/settings/connect',
      '/settings/connect',
      '/settings/caldav',
      '/settings/feed-link',
    ]);
    // Without the cookie the bare page is refused.
    expect((await fetch(`${h.config.publicBaseUrl}/settings`)).status).toBe(401);

    // Connecting from the page: the flow stores the bare settings URL, and the way back carries no token.
    const started = await post('/settings/connect', { provider: 'google' }, { cookie, origin: h.config.publicBaseUrl });
    expect(started.status).toBe(303);
    const connectUrl = started.headers.get('location')!;
    expect(connectUrl).toMatch(new RegExp(`^${h.config.publicBaseUrl}/v1/connect/`));
    const { rows } = await h.pool.query<{ return_url: string }>('SELECT return_url FROM oauth_flows WHERE user_id = $1', [userId]);
    expect(rows).toEqual([{ return_url: `${h.config.publicBaseUrl}/settings` }]);
    const opened = await redirectOf(connectUrl, cookiesOf(started));
    expect(opened.status).toBe(302);
    const back = await redirectOf(await consent(opened.location!, `${userId}@sandbox.test`), cookiesOf(started));
    expect(back.status).toBe(200);
    const refresh = /content="0;url=([^"]+)"/.exec(back.body)?.[1];
    expect(refresh).toMatch(/^\/settings\?status=connected&amp;connection=[0-9a-f-]{36}$/);
    expect(back.body).not.toContain(token);
    const after = await fetch(`${h.config.publicBaseUrl}/settings?status=connected`, { headers: { cookie } });
    expect(await after.text()).toContain('Calendar connected.');
    const all = await h.pool.query<{ return_url: string }>('SELECT return_url FROM oauth_flows WHERE return_url LIKE $1', [`%${token}%`]);
    expect(all.rows).toEqual([]);
  });

  it('refuses settings forms posted from another site or origin, or with no origin at all, with a clear 403', async () => {
    const userId = h.id('user');
    const cookie = await sessionOf(userId);
    const feed = await h.api<{ url: string }>('POST', `/v1/users/${userId}/feed-links`);
    const refusals: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      // Sec-Fetch-Site decides when present, whatever Origin says.
      { 'sec-fetch-site': 'cross-site', origin: h.config.publicBaseUrl },
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      {},
    ];
    for (const headers of refusals) {
      for (const [path, form] of [
        ['/settings/connect', { provider: 'google' }],
        ['/settings/caldav', { provider: 'icloud', username: 'a@icloud.test', password: 'b' }],
        ['/settings/disconnect', { connectionId: '00000000-0000-4000-8000-000000000000' }],
        ['/settings/feed-link', {}],
        ['/settings/feed-link/revoke', {}],
      ] as const) {
        const res = await post(path, form, { cookie, ...headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(await res.text()).toContain('This request did not come from the settings page');
      }
    }
    // Nothing was started for the user, and their feed link was neither replaced nor revoked.
    expect((await h.pool.query('SELECT 1 FROM oauth_flows WHERE user_id = $1', [userId])).rows).toEqual([]);
    expect((await fetch(feed.body.url)).status).toBe(200);
    // The same forms from the page itself go through.
    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { origin: h.config.publicBaseUrl }] as Array<Record<string, string>>) {
      const res = await post('/settings/connect', { provider: 'google' }, { cookie, ...headers });
      expect(res.status).toBe(303);
    }
    expect((await h.pool.query('SELECT 1 FROM oauth_flows WHERE user_id = $1', [userId])).rows).toHaveLength(2);
  });

  it('a revoked link and the sessions it opened are refused; a link minted afterwards works', async () => {
    const userId = h.id('user');
    const url = await settingsLink(userId);
    const cookie = cookiesOf(await open(url));
    expect((await fetch(`${h.config.publicBaseUrl}/settings`, { headers: { cookie } })).status).toBe(200);

    expect((await h.api('DELETE', `/v1/users/${userId}/settings-links`, undefined, { key: null })).status).toBe(401);
    expect((await h.api('DELETE', `/v1/users/${userId}/settings-links`)).status).toBe(204);

    const link = await open(url);
    expect(link.status).toBe(401);
    expect(await link.text()).toContain('This settings link is not valid any more');
    expect(link.headers.getSetCookie()).toEqual([]);
    expect((await fetch(`${h.config.publicBaseUrl}/settings`, { headers: { cookie } })).status).toBe(401);
    const form = await post('/settings/connect', { provider: 'google' }, { cookie, origin: h.config.publicBaseUrl });
    expect(form.status).toBe(401);
    expect((await h.pool.query('SELECT 1 FROM oauth_flows WHERE user_id = $1', [userId])).rows).toEqual([]);

    // Another user's links are untouched; a new link for this user works.
    const other = await sessionOf(h.id('user'));
    expect((await fetch(`${h.config.publicBaseUrl}/settings`, { headers: { cookie: other } })).status).toBe(200);
    const fresh = cookiesOf(await open(await settingsLink(userId)));
    expect((await fetch(`${h.config.publicBaseUrl}/settings`, { headers: { cookie: fresh } })).status).toBe(200);
  });
});
