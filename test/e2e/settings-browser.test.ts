import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { ensureChromium, launchChromium } from '../support/chromium';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

let h: Harness;
let browser: Browser;
let radicale: RadicaleServer;
const caldavUser = { username: `web${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
beforeAll(async () => {
  const executablePath = ensureChromium();
  await ensureRadicale();
  radicale = await startRadicale({ users: [caldavUser] });
  await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'personal', displayName: 'Personal' });
  h = await startHarness();
  browser = await launchChromium(executablePath);
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await radicale?.stop();
});

describe('settings page in a real browser', () => {
  it('connects Google through the consent page, shows it active, and disconnects it', { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const email = `${userId}@sandbox.test`;
    const link = await h.api<{ url: string; expiresAt: string }>('POST', `/v1/users/${userId}/settings-links`);
    expect(link.status).toBe(201);

    const page = await browser.newPage();
    // The confirmation runs under the page's Content-Security-Policy: it must still be shown.
    const dialogs: string[] = [];
    const cspViolations: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(link.body.url);
    // The link was exchanged for a session cookie and left the address bar.
    expect(page.url()).toBe(`${h.config.publicBaseUrl}/settings`);
    // goto and reload return once the page has loaded: its text is final, nothing to poll.
    expect(await page.textContent('body')).toContain('No calendar connected yet');

    await page.click('button:has-text("Connect Google Calendar")');
    await page.waitForSelector('input#email');
    await page.fill('input#email', email);
    await page.click('button[name="decision"][value="allow"]');

    await page.waitForSelector('[data-status="active"]');
    expect(new URL(page.url()).searchParams.get('status')).toBe('connected');
    expect(page.url()).not.toContain('token');
    expect(await page.textContent('body')).toContain(email);
    expect(await page.textContent('body')).toContain('Calendar connected.');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'settings-page.png'), fullPage: true });

    const [account] = (await h.api<{ connections: Array<{ id: string; status: string }> }>('GET', `/v1/users/${userId}/connections`)).body
      .connections;
    expect(account?.status).toBe('active');

    await page.click('button:has-text("Disconnect")');
    await page.waitForURL(/status=disconnected/);
    expect(dialogs).toEqual(['Disconnect this calendar?']);
    expect(cspViolations).toEqual([]);
    expect(await page.textContent('body')).toContain('Calendar disconnected.');
    await eventually(async () => {
      const list = (await h.api<{ connections: Array<{ status: string }> }>('GET', `/v1/users/${userId}/connections`)).body.connections;
      return list[0]?.status === 'disconnected' ? true : undefined;
    }, 'the connection to be disconnected');
    await page.reload();
    expect(await page.textContent('body')).toContain('No calendar connected yet');
    await page.close();
  });

  it('connects a CalDAV calendar through the form, refusing a wrong password without storing anything', { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const page = await browser.newPage();
    await page.goto(link.body.url);

    const submit = async (password: string) => {
      await page.selectOption('select#kind', 'caldav');
      await page.fill('input#serverUrl', radicale.url);
      await page.fill('input#username', caldavUser.username);
      await page.fill('input#password', password);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('form[action^="/settings/caldav"] button[type="submit"]'),
      ]);
      return response;
    };

    const refused = await submit('not-the-password');
    expect(refused?.status()).toBe(400);
    expect(await page.textContent('[role="status"]')).toContain('refused this user name and password');
    // What the user typed is kept, except the password.
    expect(await page.inputValue('input#username')).toBe(caldavUser.username);
    expect(await page.inputValue('input#serverUrl')).toBe(radicale.url);
    expect(await page.inputValue('input#password')).toBe('');
    expect(await page.content()).not.toContain('not-the-password');
    expect((await h.api<{ connections: unknown[] }>('GET', `/v1/users/${userId}/connections`)).body.connections).toHaveLength(0);

    await submit(caldavUser.password);
    await page.waitForSelector('[data-status="active"]');
    expect(await page.textContent('body')).toContain('Calendar connected.');
    expect(await page.textContent('body')).toContain(caldavUser.username);
    expect(await page.content()).not.toContain(caldavUser.password);
    const list = (await h.api<{ connections: Array<{ provider: string; status: string }> }>('GET', `/v1/users/${userId}/connections`)).body
      .connections;
    expect(list).toEqual([expect.objectContaining({ provider: 'caldav', status: 'active' })]);
    await page.close();
  });

  it('a settings link the API issued works until its expiry and is refused clearly after it', async () => {
    const userId = h.id('user');
    const link = await h.api<{ url: string; expiresAt: string }>('POST', `/v1/users/${userId}/settings-links`);
    expect(link.status).toBe(201);
    const expiresAt = Date.parse(link.body.expiresAt);
    const token = new URL(link.body.url).searchParams.get('token')!;
    const page = await browser.newPage();
    // The service runs in this process: moving Date moves the clock its expiry check reads
    // (timers stay real, and the clock keeps running from where it is set).
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      vi.setSystemTime(expiresAt - 60_000);
      const before = await page.goto(link.body.url);
      expect(before?.status()).toBe(200);
      expect(await page.textContent('h1')).toBe('Your calendars');

      vi.setSystemTime(expiresAt + 1_000);
      const after = await page.goto(link.body.url);
      expect(after?.status()).toBe(401);
      expect(await page.textContent('h1')).toBe('This settings link is not valid any more');
      expect(await page.content()).not.toContain('Your calendars');
      // Nor does it open a session.
      const exchange = await fetch(`${h.config.publicBaseUrl}/settings?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
      expect(exchange.status).toBe(401);
      expect(exchange.headers.getSetCookie()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
    await page.close();
  });

  it('a forged settings link shows the same clear page', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${h.config.publicBaseUrl}/settings?token=forged.token.here`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('not valid any more');
    await page.close();
  });

  it("one user's settings link cannot disconnect another user's calendar", { timeout: 120_000 }, async () => {
    const owner: TestParticipant = { userId: h.id('owner'), role: 'tutor', name: 'Olga', email: 'olga@example.com' };
    const { connectionId, email } = await h.connectGoogle(owner.userId);
    const bookingId = h.id('bk');
    const other: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Carl', email: 'carl@example.com' };
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([owner, other]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await eventsFor(h, email, bookingId)).toHaveLength(1);

    // Another user's page posts its disconnect form with the owner's connection id in it.
    const intruder = h.id('intruder');
    const link = await h.api<{ url: string }>('POST', `/v1/users/${intruder}/settings-links`);
    const page = await browser.newPage();
    await page.goto(link.body.url);
    const [response] = await Promise.all([
      page.waitForNavigation(),
      // A string: this project's TypeScript has no DOM types; the values go in as JSON.
      page.evaluate(`(() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/settings/disconnect';
        for (const [name, value] of [['connectionId', ${JSON.stringify(connectionId)}], ['removeEvents', 'true']]) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    expect(response?.status()).toBe(404);
    expect(await page.textContent('[role="status"]')).toBe('That calendar is not one of yours: nothing was disconnected.');
    expect(await page.textContent('body')).toContain('No calendar connected yet');
    await page.close();

    // Nothing changed: the connection is active and syncing, its event still in the calendar.
    const { rows } = await h.pool.query('SELECT status, sync_enabled, removing_events FROM calendar_connections WHERE id = $1', [
      connectionId,
    ]);
    expect(rows).toEqual([{ status: 'active', sync_enabled: true, removing_events: false }]);
    expect((await eventsFor(h, email, bookingId)).map((e) => e.status)).toEqual(['confirmed']);
    const later = h.id('bk');
    expect(
      (
        await h.api(
          'POST',
          `/v1/bookings/${later}/confirm`,
          confirmBody([owner, other], { start: '2030-05-02T15:00:00Z', end: '2030-05-02T16:00:00Z' }),
        )
      ).status,
    ).toBe(202);
    await settled(h, later, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await eventsFor(h, email, later)).toHaveLength(1);
  });

  it("a malformed disconnect form is refused as such, and a CalDAV form by the JSON route's URL rule", async () => {
    const link = await h.api<{ url: string }>('POST', `/v1/users/${h.id('user')}/settings-links`);
    const exchanged = await fetch(link.body.url, { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
    const cookie = exchanged.headers.getSetCookie().map((c) => c.split(';')[0]!)[0]!;
    const post = (action: string, form: Record<string, string>) =>
      fetch(`${h.config.publicBaseUrl}${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.config.publicBaseUrl, cookie },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
    const malformed = await post('/settings/disconnect', { connectionId: 'not-a-uuid' });
    expect(malformed.status).toBe(400);
    const page = await malformed.text();
    expect(page).toContain('That disconnect request was incomplete: nothing was disconnected.');
    expect(page).not.toContain('not one of yours');

    // ftp: is refused by the JSON route too (api-validation); the form says what to fix.
    const ftp = await post('/settings/caldav', { provider: 'caldav', serverUrl: 'ftp://example.com/', username: 'a', password: 'b' });
    expect(ftp.status).toBe(400);
    expect(await ftp.text()).toContain('The server URL must start with https:// (or http://).');
  });
});

describe('login CSRF: a page on another site cannot attach a calendar to its author', () => {
  let attacker: Server;
  let attackerOrigin: string;
  /** The page the attacker serves, by path. */
  const pages = new Map<string, string>();
  beforeAll(async () => {
    attacker = createServer((req, res) => {
      res.writeHead(pages.has(req.url ?? '') ? 200 : 404, { 'content-type': 'text/html' }).end(pages.get(req.url ?? '') ?? '');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    // "localhost" while the service is 127.0.0.1: another origin and another site.
    attackerOrigin = `http://localhost:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

  /** The victim, on whatever page they land, consents at the provider when asked (as one click would). */
  async function victimConsentsIfAsked(page: import('playwright-core').Page, email: string): Promise<void> {
    await page.waitForLoadState('load');
    if (!(await page.$('input#email'))) return;
    await page.fill('input#email', email);
    await Promise.all([page.waitForNavigation(), page.click('button[name="decision"][value="allow"]')]);
    await page.waitForLoadState('load');
  }

  it(
    "an auto-submitted connect form with the attacker's settings link is refused in the victim's browser",
    { timeout: 120_000 },
    async () => {
      const attackerUser = h.id('attacker');
      const link = await h.api<{ url: string }>('POST', `/v1/users/${attackerUser}/settings-links`);
      const token = new URL(link.body.url).searchParams.get('token')!;
      // The attack from the finding: the form action carries the attacker's link…
      pages.set(
        '/with-link',
        `<form method="post" action="${h.config.publicBaseUrl}/settings/connect?token=${encodeURIComponent(token)}"><input type="hidden" name="provider" value="google"></form><script>document.forms[0].submit()</script>`,
      );
      // …or the attacker first gets its settings session into the victim's browser (a link the
      // victim follows), then posts the form without a token.
      pages.set('/link', `<a id="go" href="${link.body.url}">Open</a>`);
      pages.set(
        '/post',
        `<form method="post" action="${h.config.publicBaseUrl}/settings/connect"><input type="hidden" name="provider" value="google"></form><script>document.forms[0].submit()</script>`,
      );
      for (const attack of ['with the link', 'with a session'] as const) {
        const context = await browser.newContext();
        const victim = await context.newPage();
        if (attack === 'with a session') {
          await victim.goto(`${attackerOrigin}/link`);
          await Promise.all([victim.waitForURL(`${h.config.publicBaseUrl}/settings`), victim.click('#go')]);
          expect(await victim.textContent('h1')).toBe('Your calendars');
        }
        const victimEmail = `${h.id('victim')}@sandbox.test`;
        const [response] = await Promise.all([
          victim.waitForResponse((r) => r.url().startsWith(`${h.config.publicBaseUrl}/settings/connect`)),
          victim.goto(`${attackerOrigin}${attack === 'with the link' ? '/with-link' : '/post'}`),
        ]);
        await victimConsentsIfAsked(victim, victimEmail);
        // What matters: nothing of the victim's was attached to the attacker's user.
        const list = (await h.api<{ connections: unknown[] }>('GET', `/v1/users/${attackerUser}/connections`)).body.connections;
        expect(list, attack).toEqual([]);
        expect(response.status(), attack).toBe(403);
        expect(await victim.textContent('h1')).toBe('This request did not come from the settings page');
        await context.close();
      }
      expect((await h.pool.query('SELECT 1 FROM oauth_flows WHERE user_id = $1', [attackerUser])).rows).toEqual([]);
    },
  );

  it(
    "the provider's consent page of a flow the attacker started, opened in the victim's browser, attaches nothing",
    { timeout: 120_000 },
    async () => {
      const attackerUser = h.id('attacker');
      const link = await h.api<{ url: string }>('POST', `/v1/users/${attackerUser}/settings-links`);
      // The attacker starts a connect flow in their own browser and stops at the consent page.
      const attackerContext = await browser.newContext();
      const own = await attackerContext.newPage();
      await own.goto(link.body.url);
      await Promise.all([own.waitForSelector('input#email'), own.click('button:has-text("Connect Google Calendar")')]);
      const consentUrl = own.url();
      await attackerContext.close();

      // The victim follows a link to that consent page (from the attacker's site) and allows.
      pages.set('/consent', `<a id="go" href="${consentUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">Sign in</a>`);
      const context = await browser.newContext();
      const victim = await context.newPage();
      await victim.goto(`${attackerOrigin}/consent`);
      await Promise.all([victim.waitForSelector('input#email'), victim.click('#go')]);
      const [callback] = await Promise.all([
        victim.waitForResponse((r) => r.url().includes('/v1/oauth/google/callback')),
        victimConsentsIfAsked(victim, `${h.id('victim')}@sandbox.test`),
      ]);
      expect((await h.api<{ connections: unknown[] }>('GET', `/v1/users/${attackerUser}/connections`)).body.connections).toEqual([]);
      expect(callback.status()).toBe(400);
      expect(await victim.textContent('body')).toContain('This connection was started in another browser');
      await context.close();
    },
  );
});
