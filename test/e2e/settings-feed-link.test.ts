import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, launchChromium } from '../support/chromium';
import { confirmBody } from '../support/bookings';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  const executablePath = ensureChromium();
  h = await startHarness();
  browser = await launchChromium(executablePath);
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the calendar feed link on the settings page, in a real browser', () => {
  it('creates a link shown once with copy buttons and per-app instructions, replaces it and revokes it', { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const bookingId = h.id('bk');
    const me = { userId, role: 'client', name: 'Bob Builder', email: 'bob@example.com' };
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([me]))).status).toBe(202);
    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.config.publicBaseUrl });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(link.body.url);
    expect(await page.textContent('#feed-link')).toContain('No subscription link yet');

    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Create subscription link")')]);
    const url = await page.inputValue('input#feed-https');
    expect(url).toMatch(new RegExp(`^${h.config.publicBaseUrl}/feeds/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(await page.inputValue('input#feed-webcal')).toBe(url.replace(/^http:/, 'webcal:'));
    expect(await page.getAttribute('a:has-text("open the webcal link")', 'href')).toBe(url.replace(/^http:/, 'webcal:'));
    const instructions = (await page.textContent('[data-feed-link="created"]'))!;
    for (const app of ['Google Calendar', 'Outlook', 'Apple Calendar']) expect(instructions).toContain(app);
    // The link is live: the feed lists the user's booking.
    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain(`UID:${bookingId}@`);

    // Copy works under the page's Content-Security-Policy.
    await page.click('#feed-https + button');
    await page.waitForSelector('#feed-https + button:has-text("Copied")');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(url);
    expect(cspViolations).toEqual([]);

    // Back on the page later: the link exists but is not shown again (only its hash is stored).
    await page.goto(`${h.config.publicBaseUrl}/settings`);
    expect(await page.textContent('[data-feed-link="active"]')).toContain('You have a subscription link, created');
    expect(await page.content()).not.toContain(url);

    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Create a new subscription link")')]);
    const replacement = await page.inputValue('input#feed-https');
    expect(replacement).not.toBe(url);
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(replacement)).status).toBe(200);

    await Promise.all([page.waitForURL(/status=feed_revoked/), page.click('button:has-text("Revoke link")')]);
    expect(await page.textContent('[role="status"]')).toContain('Subscription link revoked');
    expect(await page.textContent('#feed-link')).toContain('No subscription link yet');
    expect((await fetch(replacement)).status).toBe(404);
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
