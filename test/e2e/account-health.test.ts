import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring, type KeyringEntry } from '../../src/crypto/keyring';
import { SecretBox } from '../../src/crypto/secret-box';
import { aad } from '../../src/db/sealed-columns';
import type { BookingView } from '../../src/domain/booking';
import type { CalendarAccountJson } from '../../src/api/calendar-account-json';
import { confirmBody, getBooking } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startNotifyReceiver, type ReceivedNotification } from '../support/notify-receiver';

type Receiver = Awaited<ReturnType<typeof startNotifyReceiver>>;
let receiver: Receiver;
let h: Harness;

beforeAll(async () => {
  receiver = await startNotifyReceiver(() => 200);
  // Busy reads every few seconds: a read that goes through is what notices a restored key.
  h = await startHarness({ NOTIFY_URL: receiver.url, NOTIFY_RETRY_FOR: '30s', BUSY_POLL_INTERVAL: '3s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

async function connection(userId: string, connectionId: string): Promise<CalendarAccountJson> {
  const res = await h.api<{ connections: CalendarAccountJson[] }>('GET', `/v1/users/${userId}/connections`);
  expect(res.status).toBe(200);
  const found = res.body.connections.find((c) => c.id === connectionId);
  if (!found) throw new Error(`connection ${connectionId} not listed`);
  return found;
}

const delivered = (type: string, connectionId: string): ReceivedNotification[] =>
  receiver.received.filter((r) => r.type === type && r.status === 200 && r.data['connectionId'] === connectionId);

/** The booking's calendar of this connection, once `accept` holds for it. */
function calendarOf(bookingId: string, connectionId: string, accept: (c: BookingView['calendars'][number]) => boolean) {
  return eventually(async () => {
    const view = await getBooking(h, bookingId);
    const calendar = view.calendars.find((c) => c.connectionId === connectionId);
    return calendar && accept(calendar) ? { view, calendar } : undefined;
  }, `booking ${bookingId}'s calendar`);
}

function participants(userId: string) {
  return [
    { userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' },
    { userId: h.id('client'), role: 'client', name: 'Charles Babbage', email: 'charles@example.com' },
  ];
}

describe('calendar account health', () => {
  it('a deleted target calendar puts the account in error with one connection.error; a new calendar writes every failed booking without a booking change', async () => {
    const userId = h.id('tutor');
    const { connectionId, email } = await h.connectGoogle(userId);
    const tutoring = await h.google.createCalendar(email, { summary: 'Tutoring' });
    expect((await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { calendarId: tutoring.id })).status).toBe(200);

    // The user deletes the calendar events go to; bookings keep coming.
    await h.google.deleteCalendar(email, tutoring.id);
    const bookingIds = [h.id('b'), h.id('b'), h.id('b')];
    for (const [i, bookingId] of bookingIds.entries()) {
      const body = confirmBody(participants(userId), { start: `2030-06-0${i + 1}T15:00:00Z`, end: `2030-06-0${i + 1}T16:00:00Z` });
      expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
    }
    for (const bookingId of bookingIds) {
      const { view, calendar } = await calendarOf(bookingId, connectionId, (c) => c.state === 'failed');
      expect(calendar.lastError).toMatch(/no longer exists.*Choose another calendar/);
      expect(view.syncState).toBe('degraded');
    }

    const failing = await connection(userId, connectionId);
    expect(failing).toMatchObject({ status: 'error', errorReason: 'calendar_not_found', calendarId: tutoring.id });
    expect(failing.lastError).toMatch(/no longer exists.*Choose another calendar/);
    // One notice for the episode, however many bookings failed on it.
    const notice = await eventually(() => delivered('connection.error', connectionId)[0], 'connection.error delivered');
    expect(notice.data).toMatchObject({ userId, connectionId, reason: 'calendar_not_found' });
    expect(notice.data['message']).toBe(failing.lastError);

    // The user picks another calendar: the account is active at once, and every booking that
    // failed is written there within a minute, with no change to any booking.
    const lessons = await h.google.createCalendar(email, { summary: 'Lessons' });
    const patchedAt = Date.now();
    const patched = await h.api<CalendarAccountJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, {
      calendarId: lessons.id,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'active', lastError: null, calendarId: lessons.id });
    expect(patched.body).not.toHaveProperty('errorReason');
    for (const bookingId of bookingIds) {
      const { calendar } = await calendarOf(bookingId, connectionId, (c) => c.state === 'synced');
      expect(calendar.lastError).toBeUndefined();
    }
    expect(Date.now() - patchedAt).toBeLessThan(60_000);
    const written = await h.google.listEvents(email, { calendarId: lessons.id });
    const ours = written.map((e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId).sort();
    expect(ours).toEqual([...bookingIds].sort());
    expect(delivered('connection.error', connectionId)).toHaveLength(1);
  });

  it('a secret whose key is gone: the API and the settings page show the account in error, a booking fails for good with a notice, and the restored key heals it', async () => {
    const userId = h.id('tutor');
    const { connectionId, email } = await h.connectGoogle(userId);
    await eventually(() => delivered('connection.connected', connectionId)[0], 'connected');

    // Its secrets re-sealed under a key this deployment does not have (as after a rotation whose old key was dropped too soon).
    const gone = await sealUnderLostKey(connectionId);

    // The connection list answers, the account in error, saying why (and without its address).
    const listed = await connection(userId, connectionId);
    expect(listed).toMatchObject({ status: 'error', errorReason: 'secret_unavailable', accountEmail: null });
    expect(listed.lastError).toMatch(/encryption key they were sealed with is not configured/);

    // So does the settings page.
    const link = await h.api<{ url: string }>('POST', `/v1/users/${userId}/settings-links`);
    expect(link.status).toBe(201);
    const opened = await fetch(link.body.url, { redirect: 'manual', headers: { 'sec-fetch-site': 'none' } });
    const cookie = opened.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const page = await fetch(`${h.config.publicBaseUrl}/settings`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`data-connection="${connectionId}"`);
    expect(html).toContain('data-status="error"');
    expect(html).toContain('encryption key they were sealed with is not configured');

    // A booking's write fails for good (not retried for ever), with the booking system told.
    const bookingId = h.id('b');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody(participants(userId)))).status).toBe(202);
    const { view, calendar } = await calendarOf(bookingId, connectionId, (c) => c.state === 'failed');
    expect(calendar.lastError).toMatch(/encryption key/);
    expect(view.syncState).toBe('degraded');
    const notice = await eventually(() => delivered('connection.error', connectionId)[0], 'connection.error delivered');
    expect(notice.data).toMatchObject({ userId, connectionId, reason: 'secret_unavailable' });
    await eventually(
      () => receiver.received.find((r) => r.type === 'booking.sync_failed' && r.data['bookingId'] === bookingId),
      'booking.sync_failed delivered',
    );
    const stored = await h.pool.query<{ status: string; error_kind: string }>(
      'SELECT status, error_kind FROM calendar_connections WHERE id = $1',
      [connectionId],
    );
    expect(stored.rows[0]).toEqual({ status: 'error', error_kind: 'secret_unavailable' });

    // The operator puts the key back: the account heals by itself and the booking is written, unchanged.
    const keys = [...h.config.encryptionKeys, gone].map((k) => `${k.id}:${k.key.toString('hex')}`).join(',');
    await h.restart({ ENCRYPTION_KEYS: keys });
    await calendarOf(bookingId, connectionId, (c) => c.state === 'synced');
    expect(await connection(userId, connectionId)).toMatchObject({ status: 'active', lastError: null, accountEmail: email });
    const events = await h.google.listEvents(email);
    expect(events.filter((e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId === bookingId)).toHaveLength(1);
    expect(delivered('connection.error', connectionId)).toHaveLength(1);
  });

  it('a Google account whose key is gone is reconnected through a connect link: the same connection, sealed again, writes the failed booking', async () => {
    const userId = h.id('tutor');
    const { connectionId, email } = await h.connectGoogle(userId);
    await eventually(() => delivered('connection.connected', connectionId)[0], 'connected');
    await sealUnderLostKey(connectionId);
    const bookingId = h.id('b');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody(participants(userId)))).status).toBe(202);
    await calendarOf(bookingId, connectionId, (c) => c.state === 'failed' && /encryption key/.test(c.lastError ?? ''));

    // The user does what the error says: reconnects. Its stored address cannot be compared, so
    // the fresh grant takes over this account (the user's only Google one that cannot be read).
    const again = await h.connectGoogle(userId, email);
    expect(again.connectionId).toBe(connectionId);
    expect(await connection(userId, connectionId)).toMatchObject({ status: 'active', lastError: null, accountEmail: email });
    await calendarOf(bookingId, connectionId, (c) => c.state === 'synced');
    const events = await h.google.listEvents(email);
    expect(events.filter((e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId === bookingId)).toHaveLength(1);
    const listed = await h.api<{ connections: CalendarAccountJson[] }>('GET', `/v1/users/${userId}/connections`);
    expect(listed.body.connections.map((c) => c.id)).toEqual([connectionId]);
  });
});

/** Re-seals the connection's secrets under a new key this deployment does not have; returns that key. */
async function sealUnderLostKey(connectionId: string): Promise<KeyringEntry> {
  const gone = keyEntry('gone');
  const current = new SecretBox(h.config.encryptionKeys);
  const lost = new SecretBox([gone]);
  const columns = ['account_email', 'access_token', 'refresh_token'] as const;
  const { rows } = await h.pool.query<Record<string, string>>(
    'SELECT account_email_enc, access_token_enc, refresh_token_enc FROM calendar_connections WHERE id = $1',
    [connectionId],
  );
  const resealed = columns.map((c) => lost.seal(current.open(rows[0]![`${c}_enc`]!, aad(c, connectionId)), aad(c, connectionId)));
  await h.pool.query(
    'UPDATE calendar_connections SET account_email_enc = $2, access_token_enc = $3, refresh_token_enc = $4 WHERE id = $1',
    [connectionId, ...resealed],
  );
  return gone;
}

function keyEntry(id: string): KeyringEntry {
  const parsed = parseKeyring(`${id}:${randomBytes(32).toString('hex')}`);
  if (!parsed.ok) throw new Error(parsed.problems.join());
  return parsed.keys[0]!;
}
