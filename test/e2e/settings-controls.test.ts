import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, launchChromium } from '../support/chromium';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

interface ConnectionJson {
  id: string;
  syncEnabled: boolean;
  calendarId: string;
  reminders: Array<{ method: string; minutes: number }> | null;
  busyCalendarIds: string[] | null;
}

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

async function connection(userId: string, connectionId: string): Promise<ConnectionJson> {
  const res = await h.api<{ connections: ConnectionJson[] }>('GET', `/v1/users/${userId}/connections`);
  return res.body.connections.find((c) => c.id === connectionId)!;
}

/** A page whose Content-Security-Policy violations are collected (each would be a broken control). */
async function openPage(url: string, timezoneId?: string): Promise<{ page: Page; cspViolations: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext(timezoneId ? { timezoneId } : {});
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(url);
  return { page, cspViolations, close: () => context.close() };
}

/** Presses Enter on the focused control and waits for the page it leads to. */
async function enter(page: Page) {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  return response;
}

/** Posts a form from the page, as a page of this service would (same origin, the session cookie). */
async function postFrom(page: Page, action: string, fields: Array<[string, string]>) {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    // A string: this project's TypeScript has no DOM types; the values go in as JSON.
    page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = ${JSON.stringify(action)};
      for (const [name, value] of ${JSON.stringify(fields)}) {
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
  return response;
}

const banner = (page: Page) => page.textContent('[role="status"]');

/** Runs an expression in the page (a string: this project's TypeScript has no DOM types). */
const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate<T>(expression);
/** `[value, selected/checked]` of the options or checkboxes a selector finds. */
const choices = (page: Page, selector: string) =>
  inPage<Array<[string, boolean]>>(
    page,
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => [e.value, e.tagName === 'OPTION' ? e.hasAttribute('selected') : e.checked])`,
  );

describe('the settings of a connected calendar, in a real browser', () => {
  it('picks the calendar, turns sync off and on, chooses conflict calendars and reminders, by keyboard', { timeout: 240_000 }, async () => {
    const userId = h.id('user');
    const { connectionId, email } = await h.connectGoogle(userId);
    const work = await h.google.createCalendar(email, { summary: 'Work' });
    const holidays = await h.google.createCalendar(email, { summary: 'Holidays', accessRole: 'reader' });
    const me: TestParticipant = { userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([me]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await eventsFor(h, email, bookingId)).toHaveLength(1);

    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const { page, cspViolations, close } = await openPage(link.body.url);
    const card = `[data-connection="${connectionId}"]`;

    // 1. The calendar picker lists the writable calendars, the current one selected; Holidays is read-only.
    const picker = `select#calendar-${connectionId}`;
    expect(await choices(page, `${picker} option`)).toEqual([
      ['primary', true],
      [work.id, false],
    ]);
    await page.focus(picker);
    await page.selectOption(picker, work.id);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Save calendar');
    expect((await enter(page))?.status()).toBe(200);
    expect(await banner(page)).toContain('Calendar changed');
    expect((await connection(userId, connectionId)).calendarId).toBe(work.id);
    expect(await page.getAttribute(`${picker} option[selected]`, 'value')).toBe(work.id);
    const inWork = async () =>
      (await h.google.listEvents(email, { calendarId: work.id })).filter(
        (e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId === bookingId,
      );
    await eventually(
      async () => ((await inWork()).length === 1 && (await eventsFor(h, email, bookingId)).length === 0 ? true : undefined),
      'the booking event to move to Work',
    );

    // 2. Sync off, then on again, each by keyboard.
    expect(await page.textContent(`${card} [data-sync]`)).toContain('Sync is on');
    await page.focus(`${card} button:has-text("Turn sync off")`);
    await enter(page);
    expect(await banner(page)).toContain('Sync turned off');
    expect((await connection(userId, connectionId)).syncEnabled).toBe(false);
    expect(await page.getAttribute(`${card} [data-sync]`, 'data-sync')).toBe('off');
    await page.focus(`${card} button:has-text("Turn sync on")`);
    await enter(page);
    expect(await banner(page)).toContain('Sync turned on');
    expect((await connection(userId, connectionId)).syncEnabled).toBe(true);

    // 3. Conflict calendars: the default (primary and Work, where events go) is checked; add Holidays with Space.
    const boxes = () => choices(page, `${card} [data-form="busy"] input[type=checkbox]`);
    expect(await boxes()).toEqual([
      ['primary', true],
      [work.id, true],
      [holidays.id, false],
    ]);
    await page.focus(`${card} [data-form="busy"] input[value="${holidays.id}"]`);
    await page.keyboard.press('Space');
    await page.focus(`${card} button:has-text("Save conflict calendars")`);
    await enter(page);
    expect(await banner(page)).toContain('Calendars that count for conflicts saved');
    expect((await connection(userId, connectionId)).busyCalendarIds).toEqual(['primary', work.id, holidays.id]);
    type CalendarJson = { id: string; countsForConflicts: boolean };
    const counted = await h.api<{ calendars: CalendarJson[] }>('GET', `/v1/users/${userId}/connections/${connectionId}/calendars`);
    expect(counted.body.calendars.every((c) => c.countsForConflicts)).toBe(true);
    expect((await boxes()).every(([, checked]) => checked)).toBe(true);

    // None checked: refused, nothing changed.
    for (const id of ['primary', work.id, holidays.id]) await page.uncheck(`${card} [data-form="busy"] input[value="${id}"]`);
    const none = await Promise.all([page.waitForNavigation(), page.click(`${card} button:has-text("Save conflict calendars")`)]);
    expect(none[0]?.status()).toBe(400);
    expect(await banner(page)).toContain('Check at least one calendar');
    expect((await connection(userId, connectionId)).busyCalendarIds).toEqual(['primary', work.id, holidays.id]);
    await Promise.all([page.waitForNavigation(), page.click(`${card} button:has-text("Use the default")`)]);
    expect((await connection(userId, connectionId)).busyCalendarIds).toBeNull();

    // 4. Reminders: two of them, then too many minutes (refused), then back to the default.
    expect(await page.textContent(`${card} [data-reminders]`)).toContain('the default reminders');
    await page.fill(`#rem-min-${connectionId}-0`, '30');
    await page.selectOption(`#rem-method-${connectionId}-0`, 'popup');
    await page.fill(`#rem-min-${connectionId}-1`, '1440');
    await page.selectOption(`#rem-method-${connectionId}-1`, 'email');
    await page.focus(`#rem-min-${connectionId}-1`);
    await enter(page); // Enter in a field submits its form with the first submit button (Save reminders).
    expect(await banner(page)).toContain('Reminders saved');
    expect((await connection(userId, connectionId)).reminders).toEqual([
      { method: 'popup', minutes: 30 },
      { method: 'email', minutes: 1440 },
    ]);
    expect(await page.textContent(`${card} [data-reminders]`)).toContain('Notification 30 minutes before, E-mail 1 day before');
    await eventually(async () => {
      const [event] = await inWork();
      const overrides = event?.reminders?.overrides?.map((o) => [o.method, o.minutes]);
      return JSON.stringify(overrides) ===
        JSON.stringify([
          ['popup', 30],
          ['email', 1440],
        ])
        ? true
        : undefined;
    }, 'the event to get the new reminders');

    // The browser's own checks are skipped (a crafted post) to reach the server's.
    const tooMany = await postFrom(page, '/settings/reminders', [
      ['connectionId', connectionId],
      ['choice', 'chosen'],
      ['minutes', '99999'],
      ['method', 'popup'],
    ]);
    expect(tooMany?.status()).toBe(400);
    expect(await banner(page)).toContain('Reminder 1: enter whole minutes from 0 to 40320');
    expect((await connection(userId, connectionId)).reminders).toHaveLength(2);
    await Promise.all([page.waitForNavigation(), page.click(`${card} button:has-text("Use the default reminders")`)]);
    expect((await connection(userId, connectionId)).reminders).toBeNull();
    expect(await page.textContent(`${card} [data-reminders]`)).toContain('the default reminders');

    expect(cspViolations).toEqual([]);
    await close();
  });

  it('Outlook: one reminder, a notification, as its limits say', { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const { connectionId } = await h.connectMicrosoft(userId);
    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const { page, close } = await openPage(link.body.url);
    expect(await page.$$(`[data-connection="${connectionId}"] input[name="minutes"]`)).toHaveLength(1);
    expect((await choices(page, `#rem-method-${connectionId}-0 option`)).map(([v]) => v)).toEqual(['popup']);
    const email = await postFrom(page, '/settings/reminders', [
      ['connectionId', connectionId],
      ['choice', 'chosen'],
      ['minutes', '10'],
      ['method', 'email'],
    ]);
    expect(email?.status()).toBe(400);
    expect(await banner(page)).toContain('Outlook reminders are notifications');
    expect((await connection(userId, connectionId)).reminders).toBeNull();
    await page.fill(`#rem-min-${connectionId}-0`, '15');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save reminders")')]);
    expect((await connection(userId, connectionId)).reminders).toEqual([{ method: 'popup', minutes: 15 }]);
    await close();
  });

  it("shows each booking's recent history in the link's time zone, only the user's own", { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    const otherId = h.id('other');
    const [{ connectionId }, other] = await Promise.all([h.connectGoogle(userId), h.connectGoogle(otherId)]);
    const me: TestParticipant = { userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
    const them: TestParticipant = { userId: otherId, role: 'client', name: 'Bob Builder', email: 'bob@example.com' };
    const shared = h.id('bk');
    const notMine = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${shared}/confirm`, confirmBody([me, them]))).status).toBe(202);
    expect((await h.api('POST', `/v1/bookings/${notMine}/confirm`, confirmBody([them]))).status).toBe(202);
    await settled(h, shared, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    await settled(h, notMine, (v) => v.calendars.some((c) => c.connectionId === other.connectionId && c.state === 'synced'));

    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`, { timeZone: 'Asia/Kolkata' });
    expect(link.status).toBe(201);
    // The browser is elsewhere: the link's zone wins.
    const { page, cspViolations, close } = await openPage(link.body.url, 'America/New_York');
    expect(await page.textContent('#time-zone')).toContain('Asia/Kolkata');
    const details = `details[data-booking="${shared}"]`;
    // 15:00 UTC is 20:30 in Kolkata.
    expect(await page.textContent(`${details} summary`)).toContain('Wed, 1 May 2030, 20:30 GMT+05:30');
    expect(await page.getAttribute(`${details} summary time`, 'datetime')).toBe('2030-05-01T15:00:00.000Z');
    await page.focus(`${details} summary`);
    await page.keyboard.press('Enter');
    expect(await page.getAttribute(details, 'open')).not.toBeNull();
    const entries = await inPage<string[]>(page, `[...document.querySelectorAll('${details} li')].map((li) => li.textContent)`);
    // Only this user's calendar write: the other participant's is theirs.
    expect(entries.filter((e) => e.includes('Added to Google Calendar'))).toHaveLength(1);
    expect(entries.every((e) => e.includes('GMT+05:30'))).toBe(true);
    const content = await page.content();
    expect(content).not.toContain(notMine);
    expect(content).not.toContain(other.connectionId);
    expect(content).not.toContain(otherId);
    expect(await page.textContent(`[data-connection="${connectionId}"]`)).toContain('Last synced');
    expect(cspViolations).toEqual([]);
    await close();

    // Without a zone in the link: the browser's own, written by the page's script (allowed by its hash).
    const plain = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const browserZone = await openPage(plain.body.url, 'America/New_York');
    await browserZone.page.waitForSelector('#time-zone:has-text("America/New_York")');
    expect(await browserZone.page.textContent(`${details} summary`)).toContain('Wed, 1 May 2030, 11:00 GMT-04:00');
    expect(browserZone.cspViolations).toEqual([]);
    await browserZone.close();

    // A zone that is not IANA's: refused, no link.
    const bad = await h.api<{ code: string }>('POST', `/v1/users/${userId}/settings-links`, { timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
  });

  it("another user's connection id is refused (404) by every form, changing nothing", { timeout: 120_000 }, async () => {
    const ownerId = h.id('owner');
    const owner = await h.connectGoogle(ownerId);
    // What the forms could change (a bulk sync of the fresh connection may still be finishing).
    const settingsOf = async () => {
      const { syncEnabled, calendarId, reminders, busyCalendarIds } = await connection(ownerId, owner.connectionId);
      return { syncEnabled, calendarId, reminders, busyCalendarIds };
    };
    const before = await settingsOf();
    expect(before).toEqual({ syncEnabled: true, calendarId: 'primary', reminders: null, busyCalendarIds: null });
    const intruderId = h.id('intruder');
    await h.connectGoogle(intruderId);
    const link = await h.api<{ url: string }>('POST', `/v1/users/${intruderId}/settings-links`);
    const { page, close } = await openPage(link.body.url);
    const forms: Array<[string, Array<[string, string]>]> = [
      ['/settings/calendar', [['calendarId', 'primary']]],
      ['/settings/sync', [['syncEnabled', 'false']]],
      [
        '/settings/busy-calendars',
        [
          ['choice', 'chosen'],
          ['busyCalendarIds', 'primary'],
        ],
      ],
      [
        '/settings/reminders',
        [
          ['choice', 'chosen'],
          ['minutes', '5'],
          ['method', 'popup'],
        ],
      ],
    ];
    for (const [action, fields] of forms) {
      const response = await postFrom(page, action, [['connectionId', owner.connectionId], ...fields]);
      expect([action, response?.status()]).toEqual([action, 404]);
      expect(await banner(page)).toBe('That calendar is not one of yours: nothing was changed.');
    }
    expect(await settingsOf()).toEqual(before);
    // A form with no connection id at all: 400.
    expect((await postFrom(page, '/settings/sync', [['syncEnabled', 'false']]))?.status()).toBe(400);
    await close();
  });

  it('every control has an accessible name, groups have legends, and headings do not skip a level', { timeout: 120_000 }, async () => {
    const userId = h.id('user');
    await h.connectGoogle(userId);
    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const { page, close } = await openPage(link.body.url);
    const result = await inPage<{ count: number; unnamed: string[] }>(
      page,
      `(() => {
      const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
      const nameOf = (el) => {
        if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
        const byFor = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
        const label = byFor ?? el.closest('label');
        return label ? label.textContent.trim() : '';
      };
      return { count: controls.length, unnamed: controls.filter((el) => !nameOf(el)).map((el) => el.outerHTML) };
    })()`,
    );
    expect(result.count).toBeGreaterThan(10);
    expect(result.unnamed).toEqual([]);
    expect(
      await page.evaluate(`[...document.querySelectorAll('fieldset')].filter((f) => !f.querySelector(':scope > legend')).length`),
    ).toBe(0);
    expect(await page.evaluate(`[...document.querySelectorAll('button')].filter((b) => !b.textContent.trim()).length`)).toBe(0);
    const levels = await inPage<number[]>(page, `[...document.querySelectorAll('h1, h2, h3, h4')].map((x) => Number(x.tagName.slice(1)))`);
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
    // Every control can be reached with Tab: none is taken out of the tab order.
    expect(await page.$$('[tabindex="-1"], [tabindex^="-"]')).toHaveLength(0);
    await close();
  });
});
