import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Pool } from 'pg';
import { createBusyTimeActivities } from '../../src/activities/busy-times';
import { createCalendarActivities } from '../../src/activities/calendar';
import type { ActivityDeps } from '../../src/activities/deps';
import { SecretBox } from '../../src/crypto/secret-box';
import { PgBookingStore } from '../../src/db/bookings';
import { BookingPersonalSeal } from '../../src/db/booking-personal-data';
import { PgCalendarAccountStore } from '../../src/db/calendar-accounts';
import { createPool } from '../../src/db/pool';
import { createRepositories } from '../../src/db/repositories';
import type { BookingDetails } from '../../src/domain/booking';
import { createLogger } from '../../src/logging';
import type { CalendarProvider, ProviderRegistry } from '../../src/providers';
import { GoogleCalendarProvider, GoogleOAuth } from '../../src/providers/google';
import { GoogleSandboxControl, startGoogleSandbox, type RunningGoogleSandbox } from 'calendar-emulators/google';

// A busy-time read that one of our writes raced (recorded after the read began) cannot tell our
// write from the user's edit: it must not judge our event, and the next read must, from the same
// changes. Driven at activity level so the race is exact: the real read and write activities, the
// real Google adapter against the emulator, the real database; the test only decides the order,
// by acting between the read's start and its answer being applied.

const CLIENT = { clientId: 'race-client', clientSecret: 'race-secret' };
const at = (h: number) =>
  new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 2, h)).toISOString();

let pool: Pool;
let sandbox: RunningGoogleSandbox;
let control: GoogleSandboxControl;
let oauth: GoogleOAuth;
let calendarAccounts: PgCalendarAccountStore;
let bookings: PgBookingStore;
/** Runs once inside the next read, after it began and before its answer is applied. */
let duringRead: ((read: () => Promise<void>) => Promise<void>) | undefined;
let busy: ReturnType<typeof createBusyTimeActivities>;
let calendar: ReturnType<typeof createCalendarActivities>;

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'), 3);
  sandbox = await startGoogleSandbox({ port: 0, ...CLIENT });
  control = new GoogleSandboxControl(sandbox.url);
  oauth = new GoogleOAuth({
    ...CLIENT,
    authUrl: `${sandbox.url}/o/oauth2/v2/auth`,
    tokenUrl: `${sandbox.url}/token`,
    revokeUrl: `${sandbox.url}/revoke`,
    apiUrl: sandbox.url,
  });
  const box = new SecretBox([{ id: 'race', key: randomBytes(32) }]);
  calendarAccounts = new PgCalendarAccountStore(pool, box);
  bookings = new PgBookingStore(pool, new BookingPersonalSeal(box));
  const google = new GoogleCalendarProvider(sandbox.url);
  // The real adapter; its reads give the test a place to act between the read's start and its answer.
  const raceable: CalendarProvider = Object.assign(Object.create(google) as CalendarProvider, {
    async readChanges(...args: Parameters<CalendarProvider['readChanges']>) {
      const hook = duringRead;
      duringRead = undefined;
      let changes: Awaited<ReturnType<CalendarProvider['readChanges']>> | undefined;
      const read = async () => {
        changes = await google.readChanges(...args);
      };
      await (hook ? hook(read) : read());
      return changes!;
    },
  });
  const providers: ProviderRegistry = { calendar: () => raceable, oauth: () => oauth };
  const deps: ActivityDeps = {
    ...createRepositories(pool, box),
    calendarAccounts,
    providers,
    reminders: [],
    logger: createLogger('silent'),
  };
  busy = createBusyTimeActivities(deps);
  calendar = createCalendarActivities(deps);
});

afterAll(async () => {
  await sandbox?.close();
  await pool?.end();
});

/** A user with a connected sandbox calendar, one booking and our event for it, and a first full read. */
async function bookedAndRead(): Promise<{
  userId: string;
  email: string;
  connectionId: string;
  bookingId: string;
  eventId: string;
  details: BookingDetails;
}> {
  const userId = `race-${randomBytes(4).toString('hex')}`;
  const email = `${userId}@sandbox.test`;
  const redirectUri = 'http://127.0.0.1/callback';
  const { code } = await control.authorize({ email, clientId: CLIENT.clientId, redirectUri, scope: oauth.scopes.join(' ') });
  const tokens = await oauth.exchangeCode({ code, redirectUri });
  const conn = await calendarAccounts.insertOAuth({
    userId,
    provider: 'google',
    calendarId: 'primary',
    accountEmail: email,
    ...tokens,
    refreshToken: tokens.refreshToken,
  });
  const bookingId = `bk-${randomBytes(4).toString('hex')}`;
  const details: BookingDetails = {
    title: 'Lesson',
    start: at(15),
    end: at(16),
    timeZone: 'UTC',
    participants: [{ userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' }],
  };
  await bookings.saveProjection({ bookingId, status: 'confirmed', version: 1, revision: 1, details });
  const written = await calendar.upsertCalendarEvent({ bookingId, userId, connectionId: conn.id, revision: 1, booking: details });
  const first = await busy.refreshBusyTimes({ connectionId: conn.id, userId });
  expect(first).toMatchObject({ mode: 'full', edits: [] });
  return { userId, email, connectionId: conn.id, bookingId, eventId: written.externalEventId, details };
}

/** Our reschedule as the booking workflow does it: the booking's new revision, then the write. */
async function reschedule(b: Awaited<ReturnType<typeof bookedAndRead>>, revision: number, start: string, end: string): Promise<void> {
  const details = { ...b.details, start, end };
  await bookings.saveProjection({ bookingId: b.bookingId, status: 'confirmed', version: revision, revision, details });
  await calendar.upsertCalendarEvent({
    bookingId: b.bookingId,
    userId: b.userId,
    connectionId: b.connectionId,
    revision,
    booking: details,
    knownExternalEventId: b.eventId,
  });
}

async function cursorOf(connectionId: string): Promise<string | null> {
  // The cursor of the calendar events are written to.
  const { rows } = await pool.query<{ c: string | null }>(
    `SELECT b.cursor AS c FROM busy_calendars b JOIN calendar_connections c ON c.id = b.connection_id AND c.calendar_id = b.calendar_id
      WHERE b.connection_id = $1`,
    [connectionId],
  );
  return rows[0]?.c ?? null;
}

async function judged(connectionId: string, bookingId: string) {
  const state = await pool.query<{ external_state: string | null }>(
    'SELECT external_state FROM calendar_events WHERE connection_id = $1 AND booking_id = $2',
    [connectionId, bookingId],
  );
  const log = await pool.query<{ operation: string }>(
    `SELECT operation FROM sync_log WHERE booking_id = $1 AND operation LIKE 'external_%'`,
    [bookingId],
  );
  return { state: state.rows[0]?.external_state ?? null, log: log.rows.map((r) => r.operation) };
}

describe('a busy-time read raced by our own write', () => {
  it('a read that shows the calendar from before our write does not take our reschedule for a move by the user', async () => {
    const b = await bookedAndRead();
    await reschedule(b, 2, at(17), at(18)); // recorded before the next read: that read reports it
    const before = await cursorOf(b.connectionId);
    duringRead = async (read) => {
      await read(); // shows the event at 17:00
      await reschedule(b, 3, at(19), at(20)); // recorded after the read began
    };
    const raced = await busy.refreshBusyTimes({ connectionId: b.connectionId, userId: b.userId });
    expect(raced).toMatchObject({ mode: 'incremental', items: 1, edits: [] });
    expect(await judged(b.connectionId, b.bookingId)).toEqual({ state: null, log: [] });
    // The same changes are read again next time.
    expect(await cursorOf(b.connectionId)).toBe(before);

    const next = await busy.refreshBusyTimes({ connectionId: b.connectionId, userId: b.userId });
    expect(next).toMatchObject({ mode: 'incremental', items: 1, edits: [] });
    expect(await judged(b.connectionId, b.bookingId)).toEqual({ state: null, log: [] });
  });

  it("a user's edit landing in the same read as our write is judged by the next read", async () => {
    const b = await bookedAndRead();
    const before = await cursorOf(b.connectionId);
    duringRead = async (read) => {
      await reschedule(b, 2, at(17), at(18)); // our write, recorded after the read began
      await control.updateUserEvent(b.email, b.eventId, { start: { dateTime: at(9) }, end: { dateTime: at(10) } }); // then the user's move
      await read(); // shows the user's move
    };
    const raced = await busy.refreshBusyTimes({ connectionId: b.connectionId, userId: b.userId });
    expect(raced).toMatchObject({ mode: 'incremental', items: 1, edits: [] });
    expect(await judged(b.connectionId, b.bookingId)).toEqual({ state: null, log: [] });
    expect(await cursorOf(b.connectionId)).toBe(before);

    // Our write is now recorded before the read began: the user's move is theirs.
    const next = await busy.refreshBusyTimes({ connectionId: b.connectionId, userId: b.userId });
    expect(next.mode).toBe('incremental');
    expect(next.edits.map((e) => ({ bookingId: e.bookingId, state: e.state }))).toEqual([
      { bookingId: b.bookingId, state: 'moved_externally' },
    ]);
    expect(await judged(b.connectionId, b.bookingId)).toEqual({ state: 'moved_externally', log: ['external_move'] });
  });
});
