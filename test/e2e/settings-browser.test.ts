import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { CHROMIUM_ARGS, ensureChromium } from '../support/chromium';
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
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
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
    // goto and reload return once the page has loaded: its text is final, nothing to poll.
    expect(await page.textContent('body')).toContain('No calendar connected yet');

    await page.click('button:has-text("Connect Google Calendar")');
    await page.waitForSelector('input#email');
    await page.fill('input#email', email);
    await page.click('button[name="decision"][value="allow"]');

    await page.waitForSelector('[data-status="active"]');
    expect(new URL(page.url()).searchParams.get('status')).toBe('connected');
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
      // Its forms are refused as well.
      const form = await fetch(`${h.config.publicBaseUrl}/settings/connect?token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'provider=google',
        redirect: 'manual',
      });
      expect(form.status).toBe(401);
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
        form.action = ${JSON.stringify(`/settings/disconnect${new URL(link.body.url).search}`)};
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
    const post = (action: string, form: Record<string, string>) =>
      fetch(`${h.config.publicBaseUrl}${action}${new URL(link.body.url).search}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
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
