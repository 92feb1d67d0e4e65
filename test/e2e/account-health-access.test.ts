import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarAccountJson } from '../../src/api/calendar-account-json';
import type { BookingView } from '../../src/domain/booking';
import { confirmBody, getBooking } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { startNotifyReceiver, type ReceivedNotification } from '../support/notify-receiver';

// Lost access as calendar account health sees it: a calendar made read-only for the account, and
// an account the provider disables. Each puts the account in `error` with one connection.error;
// access given back heals it, and the bookings that failed are written with no booking change.

type Receiver = Awaited<ReturnType<typeof startNotifyReceiver>>;
let receiver: Receiver;
let h: Harness;

beforeAll(async () => {
  receiver = await startNotifyReceiver(() => 200);
  // Busy reads every few seconds: they are what notices access given back.
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

function calendarOf(bookingId: string, connectionId: string, accept: (c: BookingView['calendars'][number]) => boolean) {
  return eventually(async () => {
    const view = await getBooking(h, bookingId);
    const calendar = view.calendars.find((c) => c.connectionId === connectionId);
    return calendar && accept(calendar) ? { view, calendar } : undefined;
  }, `booking ${bookingId}'s calendar`);
}

/** Waits for the connection's bulk sync begun at `since` or later (a connect's, a new calendar's) to finish: none is left to write the failed bookings by chance. */
async function bulkSyncSettled(userId: string, connectionId: string, since: number): Promise<void> {
  await eventually(async () => {
    const sync = (await connection(userId, connectionId)).bulkSync;
    return sync?.state === 'completed' && Date.parse(sync.startedAt) >= since - 1_000 ? true : undefined;
  }, 'the bulk sync to finish');
}

/** Two bookings for the user, confirmed while access is lost (in June 2031, day `day` and the next). */
async function confirmTwo(userId: string, day: number): Promise<string[]> {
  const ids = [h.id('b'), h.id('b')];
  for (const [i, bookingId] of ids.entries()) {
    const date = `2031-06-${String(day + i).padStart(2, '0')}`;
    const people = [
      { userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' },
      { userId: h.id('client'), role: 'client', name: 'Charles Babbage', email: 'charles@example.com' },
    ];
    const body = confirmBody(people, { start: `${date}T15:00:00Z`, end: `${date}T16:00:00Z` });
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, body)).status).toBe(202);
  }
  return ids;
}

/**
 * The shared scenario: with access lost, the bookings fail with `message`, the account is in
 * `error` for `reason` with one connection.error; `restore` gives access back, and the bookings
 * are written (`written` counts ours in the calendar) without any booking change.
 */
async function losesAndRegainsAccess(input: {
  userId: string;
  connectionId: string;
  day: number;
  /** When the connection's last bulk sync was asked for (its connect, or its new calendar). */
  since: number;
  reason: string;
  message: RegExp;
  loseAccess: () => Promise<void>;
  restore: () => Promise<void>;
  written: () => Promise<number>;
}): Promise<void> {
  const { userId, connectionId } = input;
  await bulkSyncSettled(userId, connectionId, input.since);
  await input.loseAccess();
  const bookingIds = await confirmTwo(userId, input.day);
  for (const bookingId of bookingIds) {
    const { view, calendar } = await calendarOf(bookingId, connectionId, (c) => c.state === 'failed');
    expect(calendar.lastError).toMatch(input.message);
    expect(view.syncState).toBe('degraded');
  }
  const failing = await connection(userId, connectionId);
  expect(failing).toMatchObject({ status: 'error', errorReason: input.reason });
  expect(failing.lastError).toMatch(input.message);
  const notice = await eventually(() => delivered('connection.error', connectionId)[0], 'connection.error delivered');
  expect(notice.data).toMatchObject({ userId, connectionId, reason: input.reason, message: failing.lastError });
  expect(await input.written()).toBe(0);

  await input.restore();
  // The next busy read notices access is back and heals the account; its bulk sync writes the bookings.
  const healed = await eventually(async () => {
    const account = await connection(userId, connectionId);
    return account.status === 'active' ? account : undefined;
  }, 'the account to heal');
  expect(healed.lastError).toBeNull();
  expect(healed).not.toHaveProperty('errorReason');
  for (const bookingId of bookingIds) {
    const { calendar } = await calendarOf(bookingId, connectionId, (c) => c.state === 'synced');
    expect(calendar.lastError).toBeUndefined();
  }
  expect(await connection(userId, connectionId)).toMatchObject({ status: 'active', lastError: null });
  expect(await input.written()).toBe(bookingIds.length);
  expect(delivered('connection.error', connectionId)).toHaveLength(1);
}

const READ_ONLY = /read-only for this account\. Choose another calendar, or ask its owner for write access/;
const DISABLED = /provider says this account is disabled/;

describe('calendar account health: access lost and given back', () => {
  it('Google: the calendar made read-only for the account (403 requiredAccessLevel), then writable again', async () => {
    const userId = h.id('tutor');
    const { connectionId, email } = await h.connectGoogle(userId);
    const tutoring = await h.google.createCalendar(email, { summary: 'Tutoring' });
    const since = Date.now();
    expect((await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { calendarId: tutoring.id })).status).toBe(200);
    const ours = async () =>
      (await h.google.listEvents(email, { calendarId: tutoring.id })).filter(
        (e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId,
      ).length;
    await losesAndRegainsAccess({
      userId,
      connectionId,
      day: 2,
      since,
      reason: 'calendar_forbidden',
      message: READ_ONLY,
      loseAccess: () => h.google.setCalendarAccess(email, tutoring.id, 'reader').then(() => undefined),
      restore: () => h.google.setCalendarAccess(email, tutoring.id, 'writer').then(() => undefined),
      written: ours,
    });
  });

  it('Google: the account disabled (403 notACalendarUser), then enabled again', async () => {
    const userId = h.id('tutor');
    const since = Date.now();
    const { connectionId, email } = await h.connectGoogle(userId);
    const ours = async () =>
      (await h.google.listEvents(email)).filter((e) => e.extendedProperties?.private?.bookingCalendarSyncBookingId).length;
    await losesAndRegainsAccess({
      userId,
      connectionId,
      day: 5,
      since,
      reason: 'account_disabled',
      message: DISABLED,
      loseAccess: () => h.google.setAccountDisabled(email, true),
      restore: () => h.google.setAccountDisabled(email, false),
      written: ours,
    });
  });

  it('Outlook: the calendar made read-only for the account (403 ErrorAccessDenied), then writable again', async () => {
    const userId = h.id('tutor');
    const { connectionId, email } = await h.connectMicrosoft(userId, `${userId.toLowerCase()}@contoso.test`);
    const lessons = await h.microsoft.createCalendar(email, { name: 'Lessons' });
    const since = Date.now();
    expect((await h.api('PATCH', `/v1/users/${userId}/connections/${connectionId}`, { calendarId: lessons.id })).status).toBe(200);
    await losesAndRegainsAccess({
      userId,
      connectionId,
      day: 8,
      since,
      reason: 'calendar_forbidden',
      message: READ_ONLY,
      loseAccess: () => h.microsoft.setCalendarAccess(email, lessons.id, false).then(() => undefined),
      restore: () => h.microsoft.setCalendarAccess(email, lessons.id, true).then(() => undefined),
      written: async () => (await h.microsoft.listEvents(email, { calendarId: lessons.id })).length,
    });
  });

  it('Outlook: the account disabled (MailboxNotEnabledForRESTAPI), then enabled again', async () => {
    const userId = h.id('tutor');
    const since = Date.now();
    const { connectionId, email } = await h.connectMicrosoft(userId, `${userId.toLowerCase()}@contoso.test`);
    await losesAndRegainsAccess({
      userId,
      connectionId,
      day: 11,
      since,
      reason: 'account_disabled',
      message: DISABLED,
      loseAccess: () => h.microsoft.setAccountDisabled(email, true),
      restore: () => h.microsoft.setAccountDisabled(email, false),
      written: async () => (await h.microsoft.listEvents(email)).length,
    });
  });
});
