import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectUrl } from '../../src/providers/caldav';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer, type RadicaleUser } from '../../tools/support/radicale';
import { confirmBody, getBooking, settled, type TestParticipant } from '../support/bookings';
import { ensureChromium, launchChromium } from '../support/chromium';
import { eventually, startHarness, type Harness } from '../support/harness';
import { setRadicalePasswords } from '../support/radicale-passwords';

interface ConnectionJson {
  id: string;
  provider: string;
  status: string;
  lastError: string | null;
  serverUrl?: string;
  removingEvents?: boolean;
  eventsNotRemoved?: Array<{ bookingId: string; start: string | null; reason: string }>;
}

let h: Harness;
let browser: Browser;
let radicale: RadicaleServer;
const newUser = (prefix: string): RadicaleUser => ({
  username: `${prefix}${randomBytes(3).toString('hex')}`,
  password: randomBytes(12).toString('hex'),
});
/** Radicale's users as they are now: a test revokes a password by replacing its entry. */
const users = [newUser('repair'), newUser('leaver'), newUser('api')];
const calendars = new Map<string, string>();

beforeAll(async () => {
  const executablePath = ensureChromium();
  await ensureRadicale();
  radicale = await startRadicale({ users });
  for (const u of users) {
    calendars.set(u.username, await createCalendar(radicale.url, u.username, u.password, { slug: 'personal', displayName: 'Personal' }));
  }
  h = await startHarness();
  browser = await launchChromium(executablePath);
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await radicale?.stop();
});

/** Revokes `user`'s password at the server and gives it a new one. */
function revokePassword(user: RadicaleUser): void {
  user.password = randomBytes(12).toString('hex');
  setRadicalePasswords(radicale, users);
}

/** Our event of a booking in the user's calendar, read with their current password. */
async function icsOf(user: RadicaleUser, bookingId: string, connectionId: string): Promise<string | undefined> {
  const auth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const res = await fetch(objectUrl(calendars.get(user.username)!, { bookingId, connectionId }), { headers: { authorization: auth } });
  return res.status === 200 ? res.text() : undefined;
}

async function connections(userId: string): Promise<ConnectionJson[]> {
  return (await h.api<{ connections: ConnectionJson[] }>('GET', `/v1/users/${userId}/connections`)).body.connections;
}

/** Connects `user` over the API and syncs one booking into the calendar. */
async function connectedWithBooking(
  user: RadicaleUser,
): Promise<{ userId: string; connectionId: string; participant: TestParticipant; bookingId: string }> {
  const userId = h.id('user');
  const connected = await h.api<ConnectionJson>('POST', `/v1/users/${userId}/connections`, {
    provider: 'caldav',
    serverUrl: radicale.url,
    username: user.username,
    password: user.password,
  });
  expect(connected.status).toBe(201);
  const participant: TestParticipant = { userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
  const bookingId = h.id('bk');
  expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([participant]))).status).toBe(202);
  await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
  expect(await icsOf(user, bookingId, connected.body.id)).toContain('SUMMARY:');
  return { userId, connectionId: connected.body.id, participant, bookingId };
}

/** Revokes the password, then makes a booking change reach the server: the account goes `needs_reauth`. */
async function revokedAndRefused(
  user: RadicaleUser,
  userId: string,
  participant: TestParticipant,
): Promise<{ parkedBookingId: string; account: ConnectionJson }> {
  revokePassword(user);
  const parkedBookingId = h.id('bk');
  const body = confirmBody([participant], { start: '2030-06-01T15:00:00Z', end: '2030-06-01T16:00:00Z' });
  expect((await h.api('POST', `/v1/bookings/${parkedBookingId}/confirm`, body)).status).toBe(202);
  const account = await eventually(async () => {
    const [a] = await connections(userId);
    return a?.status === 'needs_reauth' ? a : undefined;
  }, 'the refused app password to park the account');
  return { parkedBookingId, account };
}

describe('a CalDAV account whose app password was revoked', () => {
  it('is repaired through the settings page in Chromium: the same connection is active again and syncs', { timeout: 180_000 }, async () => {
    const user = users[0]!;
    const { userId, connectionId, participant } = await connectedWithBooking(user);
    const revoked = user.password;
    const { parkedBookingId, account } = await revokedAndRefused(user, userId, participant);
    // The message fits an app password: there is no refresh token to speak of.
    expect(account.lastError).toContain('app password');
    expect(account.lastError).not.toContain('refresh token');

    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    const page = await browser.newPage();
    await page.goto(link.body.url);
    const card = `[data-connection="${connectionId}"]`;
    expect(await page.getAttribute(`${card} [data-status]`, 'data-status')).toBe('needs_reauth');
    // The form shows the server and user name the account was connected with.
    expect(await page.inputValue(`${card} input[name="serverUrl"]`)).toBe(radicale.url);
    expect(await page.inputValue(`${card} input[name="username"]`)).toBe(user.username);

    const submit = async (password: string) => {
      await page.fill(`${card} input[name="password"]`, password);
      const [response] = await Promise.all([page.waitForNavigation(), page.click(`${card} form[action="/settings/reconnect"] button`)]);
      return response;
    };
    // The old (revoked) password is refused and changes nothing.
    const refused = await submit(revoked);
    expect(refused?.status()).toBe(400);
    expect(await page.textContent('[role="status"]')).toContain('refused this user name and password');
    expect((await connections(userId))[0]?.status).toBe('needs_reauth');

    await submit(user.password);
    await page.waitForSelector(`${card} [data-status="active"]`);
    expect(new URL(page.url()).searchParams.get('status')).toBe('reconnected');
    expect(await page.content()).not.toContain(user.password);
    await page.close();

    // The same connection, not a second one.
    const after = await connections(userId);
    expect(after).toEqual([expect.objectContaining({ id: connectionId, status: 'active', lastError: null })]);
    // The booking parked while it needed reconnecting is written, and a new one syncs.
    await settled(h, parkedBookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await icsOf(user, parkedBookingId, connectionId)).toContain('DTSTART:20300601T150000Z');
    const newBookingId = h.id('bk');
    const body = confirmBody([participant], { start: '2030-07-01T15:00:00Z', end: '2030-07-01T16:00:00Z' });
    expect((await h.api('POST', `/v1/bookings/${newBookingId}/confirm`, body)).status).toBe(202);
    await settled(h, newBookingId, (v) => v.calendars.some((c) => c.connectionId === connectionId && c.state === 'synced'));
    expect(await icsOf(user, newBookingId, connectionId)).toContain('DTSTART:20300701T150000Z');
  });

  it(
    'disconnected with removeEvents=true ends disconnected within a minute, listing the events it could not remove',
    { timeout: 180_000 },
    async () => {
      const user = users[1]!;
      const { userId, connectionId, participant, bookingId } = await connectedWithBooking(user);
      await revokedAndRefused(user, userId, participant);

      const asked = Date.now();
      const disconnect = await h.api<ConnectionJson>('DELETE', `/v1/users/${userId}/connections/${connectionId}?removeEvents=true`);
      expect(disconnect.status).toBe(202);
      const done = await eventually(async () => {
        const [a] = await connections(userId);
        return a?.status === 'disconnected' ? a : undefined;
      }, 'the disconnect to finish');
      expect(Date.now() - asked).toBeLessThan(60_000);
      expect(done.removingEvents).toBeUndefined();
      expect(done.eventsNotRemoved).toEqual([
        { bookingId, start: '2030-05-01T15:00:00.000Z', reason: expect.stringContaining('reconnected') as string },
      ]);
      // It is still there, for the user to delete, and the sync log says so.
      expect(await icsOf(user, bookingId, connectionId)).toContain('SUMMARY:');
      const log = await h.pool.query<{ detail: string }>(
        `SELECT detail FROM sync_log WHERE connection_id = $1 AND booking_id = $2 AND operation = 'delete' AND outcome = 'failed'`,
        [connectionId, bookingId],
      );
      expect(log.rows.map((r) => r.detail)).toEqual([expect.stringContaining('not removed at disconnect')]);
      expect((await getBooking(h, bookingId)).calendars.find((c) => c.connectionId === connectionId)?.state).not.toBe('deleted');

      // The settings page tells the user which events to delete themselves.
      const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
      const page = await browser.newPage();
      await page.goto(link.body.url);
      expect(await page.textContent('[data-events-left]')).toContain('1 event could not be removed');
      expect(await page.textContent(`[data-events-left] [data-booking="${bookingId}"]`)).toContain('2030');
      await page.close();
    },
  );

  it(
    "is reconnected over the API; a wrong password, a bad body, a Google connection or another user's connection changes nothing",
    { timeout: 120_000 },
    async () => {
      const user = users[2]!;
      const { userId, connectionId, participant } = await connectedWithBooking(user);
      await revokedAndRefused(user, userId, participant);
      const path = `/v1/users/${userId}/connections/${connectionId}/reconnect`;
      const still = async () => expect((await connections(userId))[0]).toMatchObject({ id: connectionId, status: 'needs_reauth' });

      const wrong = await h.api<{ code: string }>('POST', path, { password: 'not-the-password' });
      expect([wrong.status, wrong.body.code]).toEqual([400, 'invalid_credentials']);
      expect(JSON.stringify(wrong.body)).not.toContain('not-the-password');
      for (const body of [
        {},
        { password: '' },
        { password: user.password, serverUrl: 'ftp://x' },
        { password: user.password, token: 'x' },
      ]) {
        expect((await h.api('POST', path, body)).status).toBe(400);
      }
      const stranger = h.id('user');
      expect((await h.api('POST', `/v1/users/${stranger}/connections/${connectionId}/reconnect`, { password: user.password })).status).toBe(
        404,
      );
      const google = await h.connectGoogle(stranger);
      const oauth = await h.api<{ code: string }>('POST', `/v1/users/${stranger}/connections/${google.connectionId}/reconnect`, {
        password: 'x',
      });
      expect([oauth.status, oauth.body.code]).toEqual([409, 'not_reconnectable']);
      await still();

      // The stored user name and server are used when the body names only the new password.
      const repaired = await h.api<ConnectionJson>('POST', path, { password: user.password });
      expect(repaired.status).toBe(200);
      expect(repaired.body).toMatchObject({ id: connectionId, status: 'active', lastError: null, serverUrl: radicale.url });
      expect(await connections(userId)).toHaveLength(1);
    },
  );
});
