import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, launchChromium } from '../support/chromium';
import { eventually, startHarness, type Harness } from '../support/harness';

/**
 * The settings page framed by a page of another site. The service is http://127.0.0.1:P; the
 * embedding app and a third origin are http://localhost:Q and http://localhost:R: another site
 * than the service's (an IP address and a host name), and one partition for the service's
 * cookie (a partition is keyed by the top-level site, which ignores the port).
 */

let h: Harness;
let browser: Browser;
/** The pages both static servers serve, by path. */
const pages = new Map<string, string>();
const servers: Server[] = [];
let parentOrigin: string;
let thirdOrigin: string;

async function staticServer(): Promise<string> {
  const server = createServer((req, res) => {
    const body = pages.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html' }).end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  parentOrigin = await staticServer();
  thirdOrigin = await staticServer();
  h = await startHarness({ SETTINGS_FRAME_ANCESTORS: parentOrigin });
  browser = await launchChromium(executablePath);
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function settingsLink(userId: string): Promise<string> {
  const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
  expect(link.status).toBe(201);
  return link.body.url;
}

const attr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The embedding app's page: the settings link in a frame named `settings`. */
function embeddingPage(path: string, link: string, extra = ''): string {
  pages.set(
    path,
    `<h1>The booking app</h1><iframe id="settings" name="settings" src="${attr(link)}" width="900" height="700"></iframe>${extra}`,
  );
  return path;
}

/** The frame's content once it shows the settings page (after the link exchange's continue page). */
async function settingsFrame(page: Page): Promise<Frame> {
  const frame = await (await page.waitForSelector('iframe#settings')).contentFrame();
  if (!frame) throw new Error('no frame');
  await frame.waitForSelector('h1:has-text("Your calendars")');
  return frame;
}

/** Whether the settings page is shown in any frame of the page, its content read after the frame settled. */
async function settingsShown(page: Page): Promise<boolean> {
  for (const frame of page.frames()) {
    const text = await frame.evaluate('document.body ? document.body.innerText : ""').catch(() => '');
    if (String(text).includes('Your calendars')) return true;
  }
  return false;
}

/** Framing refused: the browser reports it in the console and shows no settings in the frame. */
async function framingRefused(context: BrowserContext, url: string): Promise<{ refusal: string; shown: boolean }> {
  const page = await context.newPage();
  const refusal = page.waitForEvent('console', {
    predicate: (m) => /frame-ancestors|X-Frame-Options/i.test(m.text()),
    timeout: 30_000,
  });
  await page.goto(url);
  const message = (await refusal).text();
  await page.waitForLoadState('load');
  const shown = await settingsShown(page);
  await page.close();
  return { refusal: message, shown };
}

describe('the settings page embedded in a page of another site (SETTINGS_FRAME_ANCESTORS)', () => {
  it('sends frame-ancestors with the listed origin on the settings pages only, and a partitioned SameSite=None cookie', async () => {
    const url = await settingsLink(h.id('user'));
    const exchanged = await fetch(url, { redirect: 'manual', headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'iframe' } });
    expect(exchanged.status).toBe(200);
    expect(await exchanged.text()).toContain('<meta http-equiv="refresh" content="0;url=/settings">');
    const csp = exchanged.headers.get('content-security-policy')!;
    expect(csp).toContain(`frame-ancestors ${parentOrigin}`);
    expect(csp).not.toContain("frame-ancestors 'none'");
    // The rest of the policy is unchanged.
    for (const kept of ["default-src 'none'", "base-uri 'none'", "form-action 'self'", "style-src 'unsafe-inline'"])
      expect(csp).toContain(kept);
    expect(exchanged.headers.get('x-frame-options')).toBeNull();
    expect(exchanged.headers.getSetCookie().join('\n')).toMatch(
      /^__Host-settings-session=[^;]+; Max-Age=1800; Path=\/; Expires=[^;]+; HttpOnly; Secure; Partitioned; SameSite=None$/,
    );
    // Every other page is still never framed.
    for (const path of ['/healthz', '/v1/connect/00000000-0000-4000-8000-000000000000', '/api-docs']) {
      const other = await fetch(`${h.config.publicBaseUrl}${path}`, { redirect: 'manual' });
      expect(other.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });

  it("a framed page carries a window pass into the new window its connect forms open; it works from the service's own pages only", async () => {
    const userId = h.id('user');
    const service = h.config.publicBaseUrl;
    const exchanged = await fetch(await settingsLink(userId), { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
    const cookie = exchanged.headers.getSetCookie().map((c) => c.split(';')[0]!)[0]!;
    const framed = await (await fetch(`${service}/settings`, { headers: { cookie, 'sec-fetch-dest': 'iframe' } })).text();
    const pass = /name="window" value="([^"]+)"/.exec(framed)?.[1];
    expect(pass).toBeDefined();
    expect(framed).toContain('<form method="post" action="/settings/connect" target="_blank" rel="noopener">');
    // The same page opened in a window connects in place, and holds no pass.
    const top = await (await fetch(`${service}/settings`, { headers: { cookie, 'sec-fetch-dest': 'document' } })).text();
    expect(top).toContain('Your calendars');
    expect(top).not.toContain('name="window"');
    expect(top).not.toContain('target="_blank"');

    /** The connect form as the new window posts it: the pass, no cookie (the frame's stays in the frame's partition). */
    const connect = (window: string, headers: Record<string, string>) =>
      fetch(`${service}/settings/connect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ provider: 'google', window }).toString(),
        redirect: 'manual',
      });
    const flows = async () => (await h.pool.query('SELECT 1 FROM oauth_flows WHERE user_id = $1', [userId])).rows.length;
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: parentOrigin }, {}] as Array<
      Record<string, string>
    >) {
      const refused = await connect(pass!, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.headers.getSetCookie()).toEqual([]);
    }
    const forged = await connect(`${pass!.slice(0, -2)}AA`, { 'sec-fetch-site': 'same-origin' });
    expect(forged.status).toBe(401);
    expect(await flows()).toBe(0);

    const opened = await connect(pass!, { 'sec-fetch-site': 'same-origin' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toMatch(new RegExp(`^${service}/v1/connect/`));
    expect(opened.headers.getSetCookie().join('\n')).toMatch(/__Host-settings-session=[^;]+;.*Partitioned; SameSite=None/);
    expect(await flows()).toBe(1);

    // A revocation refuses the pass like the session.
    expect((await h.api('DELETE', `/v1/users/${userId}/settings-links`)).status).toBe(204);
    expect((await connect(pass!, { 'sec-fetch-site': 'same-origin' })).status).toBe(401);
    expect(await flows()).toBe(1);
  });

  it("shows the user's calendars in the frame; its forms (feed link, disconnect) work there", { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const { connectionId, email } = await h.connectGoogle(userId);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${parentOrigin}${embeddingPage('/app', await settingsLink(userId))}`);
    const frame = await settingsFrame(page);
    expect(await frame.textContent('body')).toContain(email);
    expect(await frame.getAttribute(`[data-connection="${connectionId}"] [data-status]`, 'data-status')).toBe('active');
    // The session lives in the frame's partitioned cookie: the top-level page of the service has none.
    const cookies = await context.cookies(h.config.publicBaseUrl);
    expect(cookies.map((c) => [c.name, c.sameSite, c.partitionKey])).toEqual([['__Host-settings-session', 'None', 'http://localhost']]);

    await Promise.all([frame.waitForNavigation(), frame.click('button:has-text("Create subscription link")')]);
    const feedUrl = await frame.inputValue('input#feed-https');
    expect((await fetch(feedUrl)).status).toBe(200);

    await Promise.all([
      frame.waitForURL(/status=disconnected/),
      frame.click(`[data-connection="${connectionId}"] button:has-text("Disconnect")`),
    ]);
    expect(await frame.textContent('[role="status"]')).toBe('Calendar disconnected.');
    await eventually(async () => {
      const list = (await h.api<{ connections: Array<{ id: string; status: string }> }>('GET', `/v1/users/${userId}/connections`)).body
        .connections;
      return list.find((c) => c.id === connectionId)?.status === 'disconnected' ? true : undefined;
    }, 'the connection to be disconnected');
    await context.close();
  });

  it('connects Google from the frame in a new top-level window, which the frame then shows', { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const email = `${userId}@sandbox.test`;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${parentOrigin}${embeddingPage('/connect', await settingsLink(userId))}`);
    const frame = await settingsFrame(page);
    expect(await frame.textContent('[data-new-window]')).toContain('opens in a new window');

    const [popup] = await Promise.all([context.waitForEvent('page'), frame.click('button:has-text("Connect Google Calendar")')]);
    await popup.waitForSelector('input#email');
    await popup.fill('input#email', email);
    await popup.click('button[name="decision"][value="allow"]');
    await popup.waitForSelector('[data-status="active"]');
    expect(new URL(popup.url()).searchParams.get('status')).toBe('connected');
    expect(await popup.textContent('body')).toContain(email);
    await popup.close();

    const list = (await h.api<{ connections: Array<{ status: string; accountEmail: string }> }>('GET', `/v1/users/${userId}/connections`))
      .body.connections;
    expect(list).toEqual([expect.objectContaining({ status: 'active', accountEmail: email })]);
    await Promise.all([frame.waitForNavigation(), frame.click('a:has-text("refresh this page")')]);
    expect(await frame.textContent('body')).toContain(email);
    await context.close();
  });

  it(
    'refuses forms posted by the embedding page and by a third origin, though the browser sends them the partitioned cookie',
    {
      timeout: 120_000,
    },
    async () => {
      const userId = h.id('user');
      const { connectionId } = await h.connectGoogle(userId);
      const feed = await h.api<{ url: string }>('POST', `/v1/users/${userId}/feed-links`);
      expect(feed.status).toBe(201);
      const service = h.config.publicBaseUrl;
      const context = await browser.newContext();
      const page = await context.newPage();
      // The embedding page's own form, aimed into the settings frame.
      const revoke = `<form id="revoke" method="post" action="${service}/settings/feed-link/revoke" target="settings"></form>`;
      await page.goto(`${parentOrigin}${embeddingPage('/csrf', await settingsLink(userId), revoke)}`);
      await settingsFrame(page);
      const [fromParent] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${service}/settings/feed-link/revoke`),
        page.evaluate("document.getElementById('revoke').submit()"),
      ]);
      expect(fromParent.status()).toBe(403);
      expect((await fromParent.request().allHeaders()).cookie).toContain('__Host-settings-session=');
      // The refusal is shown in the frame (the embedding origin may frame the service's pages).
      const frame = await (await page.waitForSelector('iframe#settings')).contentFrame();
      await frame!.waitForSelector('h1:has-text("This request did not come from the settings page")');

      // A page of a third origin (one partition with the embedding page) posts a disconnect into a frame of its own.
      pages.set(
        '/third',
        `<iframe name="t"></iframe><form method="post" action="${service}/settings/disconnect" target="t"><input type="hidden" name="connectionId" value="${connectionId}"><input type="hidden" name="removeEvents" value="true"></form><script>document.forms[0].submit()</script>`,
      );
      const third = await context.newPage();
      const [fromThird] = await Promise.all([
        third.waitForResponse((r) => r.url() === `${service}/settings/disconnect`),
        third.goto(`${thirdOrigin}/third`),
      ]);
      expect(fromThird.status()).toBe(403);
      expect((await fromThird.request().allHeaders()).cookie).toContain('__Host-settings-session=');
      await context.close();

      // Nothing changed: the feed link works, the calendar is connected.
      expect((await fetch(feed.body.url)).status).toBe(200);
      const { rows } = await h.pool.query('SELECT status, removing_events FROM calendar_connections WHERE id = $1', [connectionId]);
      expect(rows).toEqual([{ status: 'active', removing_events: false }]);
    },
  );

  it('a page of an origin not in the list cannot frame it', { timeout: 120_000 }, async () => {
    const link = await settingsLink(h.id('user'));
    pages.set('/frame-it', `<iframe id="settings" src="${attr(link)}"></iframe>`);
    const context = await browser.newContext();
    const { refusal, shown } = await framingRefused(context, `${thirdOrigin}/frame-it`);
    expect(refusal).toContain(`frame-ancestors ${parentOrigin}`);
    expect(shown).toBe(false);
    // The same page from the listed origin shows it: the refusal is the origin's.
    const allowed = await context.newPage();
    await allowed.goto(`${parentOrigin}${embeddingPage('/allowed', await settingsLink(h.id('user')))}`);
    await settingsFrame(allowed);
    await context.close();
  });

  // Last: it restarts the service without the setting.
  it('without SETTINGS_FRAME_ANCESTORS the page refuses every frame, as before', { timeout: 180_000 }, async () => {
    await h.restart({ SETTINGS_FRAME_ANCESTORS: '' });
    const url = await settingsLink(h.id('user'));
    const exchanged = await fetch(url, { redirect: 'manual', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(exchanged.headers.get('x-frame-options')).toBe('DENY');
    expect(exchanged.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(exchanged.headers.getSetCookie().join('\n')).toMatch(/HttpOnly; Secure; SameSite=Strict$/);

    const context = await browser.newContext();
    const { refusal, shown } = await framingRefused(context, `${parentOrigin}${embeddingPage('/refused', url)}`);
    expect(refusal).toMatch(/frame-ancestors 'none'|X-Frame-Options/);
    expect(shown).toBe(false);
    await context.close();
  });
});
