import { randomBytes } from 'node:crypto';
import { startSmtpSandbox, type RunningSmtpSandbox } from 'calendar-emulators/smtp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';
import { BookingPersonalSeal, PersonalDataUnavailableError } from '../../src/db/booking-personal-data';
import { PgBookingStore } from '../../src/db/bookings';
import { PgStoredBookingStore } from '../../src/db/stored-bookings';
import type { BookingView } from '../../src/domain/booking';
import type { bookingWorkflow } from '../../src/workflows/booking';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { confirmBody, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
let smtp: RunningSmtpSandbox;
const caldavUser = { username: `pii${randomBytes(3).toString('hex')}`, password: `pw-${randomBytes(12).toString('hex')}` };

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [caldavUser] });
  await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'personal', displayName: 'Personal' });
  smtp = await startSmtpSandbox();
  h = await startHarness({
    INVITATIONS: 'unconnected',
    SMTP_URL: smtp.smtpUrl,
    INVITATION_FROM: `Tutoring Bookings <bookings@tutoring.example>`,
  });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
  await smtp?.close();
});

/** Strings no test elsewhere writes: found anywhere in the database, they came from these bookings. */
const tag = randomBytes(4).toString('hex');
const distinctive = {
  tutorName: `Hypatia Quixwell ${tag}`,
  tutorEmail: `hypatia.${tag}@pii.example`,
  parentName: `Zenobia Farquhar ${tag}`,
  parentEmail: `zenobia.${tag}@pii.example`,
  clientName: `Ignatius Blotworth ${tag}`,
  clientEmail: `ignatius.${tag}@pii.example`,
  title: `Confidential therapy ${tag}`,
  description: `Discuss the diagnosis ${tag}`,
  location: `Clinic wing ${tag}`,
  meetingUrl: `https://meet.example.com/room-${tag}`,
  cancelReason: `Patient admitted ${tag}`,
  templateTitle: `Session with {{others}} ${tag}-tpl`,
};

/** Every table of the public schema, each row as text, that contains any of `needles`. */
async function clearMatches(needles: string[]): Promise<string[]> {
  const tables = await h.pool.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  expect(tables.rows.map((t) => t.tablename)).toEqual(expect.arrayContaining(['bookings', 'calendar_events', 'sync_log', 'notifications']));
  const found: string[] = [];
  for (const { tablename } of tables.rows) {
    const { rows } = await h.pool.query<{ row: string }>(`SELECT t::text AS row FROM "${tablename}" t`);
    for (const { row } of rows) {
      for (const needle of needles) if (row.toLowerCase().includes(needle.toLowerCase())) found.push(`${tablename}: ${needle}`);
    }
  }
  return found;
}

describe('participants’ personal data at rest', () => {
  it('no table holds a name, e-mail, title, description, location or cancel reason in clear; the API still shows them', async () => {
    const tutorId = h.id('tutor');
    const parentId = h.id('parent');
    const clientId = h.id('client');
    const google = await h.connectGoogle(tutorId);
    const caldav = await h.api<{ id: string }>('POST', `/v1/users/${parentId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...caldavUser,
    });
    expect(caldav.status).toBe(201);
    const participants: TestParticipant[] = [
      { userId: tutorId, role: 'tutor', name: distinctive.tutorName, email: distinctive.tutorEmail },
      { userId: parentId, role: 'parent', name: distinctive.parentName, email: distinctive.parentEmail },
      // No calendar: mailed an invitation.
      { userId: clientId, role: 'client', name: distinctive.clientName, email: distinctive.clientEmail },
    ];
    const details = {
      title: distinctive.title,
      description: distinctive.description,
      location: distinctive.location,
      meetingUrl: distinctive.meetingUrl,
      templates: { default: { title: distinctive.templateTitle } },
    };
    // The first write fails with a message that echoes what was sent, as providers' messages may: it is audited without it.
    await h.google.addFault({
      method: 'POST',
      path: '/events',
      account: google.email,
      status: 503,
      times: 1,
      body: {
        error: {
          code: 503,
          message: `Backend error for ${distinctive.clientEmail} in "${distinctive.title}"`,
          errors: [{ reason: 'backendError' }],
        },
      },
    });
    const kept = h.id('kept');
    const cancelled = h.id('cancelled');
    for (const id of [kept, cancelled])
      expect((await h.api('POST', `/v1/bookings/${id}/confirm`, confirmBody(participants, details))).status).toBe(202);
    await settled(h, kept, (v) => v.calendars.filter((c) => c.state === 'synced').length === 3);
    await settled(h, cancelled, (v) => v.calendars.filter((c) => c.state === 'synced').length === 3);
    const moved = { start: '2030-05-03T15:00:00Z', end: '2030-05-03T16:30:00Z' };
    expect((await h.api('POST', `/v1/bookings/${kept}/reschedule`, moved)).status).toBe(202);
    expect((await h.api('POST', `/v1/bookings/${cancelled}/cancel`, { reason: distinctive.cancelReason })).status).toBe(202);
    await settled(h, kept, (v) => v.start === moved.start && v.calendars.filter((c) => c.state === 'synced').length === 3);
    await h.service.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(cancelled)).result();
    // The events really reached the calendars, with the personal data in them.
    const tutorEvents = await h.google.listEvents(google.email);
    expect(tutorEvents.some((e) => e.summary?.includes(tag) && e.start?.dateTime?.startsWith('2030-05-03'))).toBe(true);
    await eventually(
      () => Promise.resolve(smtp.store.list().filter((m) => m.envelope.to.includes(distinctive.clientEmail)).length >= 3 || undefined),
      'the invitations mailed',
    );
    // The feed reads the bookings table too.
    const link = await h.api<{ url: string }>('POST', `/v1/users/${tutorId}/feed-links`);
    expect(link.status).toBe(201);
    const unfolded = async () => (await (await fetch(link.body.url)).text()).replace(/\r\n[ \t]/g, '');
    const feed = await unfolded();
    expect(feed).toContain(distinctive.location);
    expect(feed).toContain(distinctive.parentName);

    const retried = await h.pool.query<{ detail: string }>(
      `SELECT detail FROM sync_log WHERE booking_id = ANY($1) AND outcome = 'retrying'`,
      [[kept, cancelled]],
    );
    expect(retried.rows.map((r) => r.detail)).toEqual([expect.stringContaining('Backend error for [personal data] in "[personal data]"')]);
    // The tag alone too: no booking id, user id or account of this test contains it.
    // The Google account's address is sealed too. (A CalDAV calendar URL keeps the server's path, which on
    // Radicale names the account's user name: it is how the calendar is addressed.)
    expect(await clearMatches([tag, ...Object.values(distinctive), google.email])).toEqual([]);

    // The database-only reads open them again: the user's list and the recorded view.
    const list = await h.api<{ bookings: BookingView[] }>('GET', `/v1/users/${tutorId}/bookings`);
    expect(list.status).toBe(200);
    const byId = new Map(list.body.bookings.map((b) => [b.bookingId, b]));
    expect(byId.get(kept)).toMatchObject({
      status: 'confirmed',
      start: new Date(moved.start).toISOString(),
      title: distinctive.title,
      location: distinctive.location,
    });
    expect(byId.get(cancelled)).toMatchObject({ status: 'cancelled', cancelReason: distinctive.cancelReason });
    // Views name participants without their e-mail addresses; the stored projection keeps those.
    const shown = participants.map(({ email: _email, ...p }) => p);
    expect(byId.get(kept)!.participants).toEqual(shown);
    const one = await h.api<BookingView>('GET', `/v1/bookings/${cancelled}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      title: distinctive.title,
      description: distinctive.description,
      cancelReason: distinctive.cancelReason,
    });
    const seal = new BookingPersonalSeal(new SecretBox(h.config.encryptionKeys));
    const recorded = await new PgBookingStore(h.pool, seal).loadView(kept, true);
    expect(recorded).toMatchObject({ title: distinctive.title, meetingUrl: distinctive.meetingUrl, participants: shown });
    const stored = await new PgStoredBookingStore(h.pool, seal).load(cancelled);
    expect(stored?.projection).toMatchObject({
      cancelReason: distinctive.cancelReason,
      details: { templates: details.templates, participants },
    });

    // A sealed value copied into another booking's row does not open there: a typed error, a clear 503, never a 500.
    const { rows } = await h.pool.query<{ personal_enc: string }>('SELECT personal_enc FROM bookings WHERE booking_id = $1', [kept]);
    const original = (await h.pool.query<{ personal_enc: string }>('SELECT personal_enc FROM bookings WHERE booking_id = $1', [cancelled]))
      .rows[0]!.personal_enc;
    await h.pool.query('UPDATE bookings SET personal_enc = $2 WHERE booking_id = $1', [cancelled, rows[0]!.personal_enc]);
    const err = await new PgBookingStore(h.pool, seal).loadView(cancelled, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PersonalDataUnavailableError);
    expect((err as PersonalDataUnavailableError).bookingId).toBe(cancelled);
    expect((err as Error).message).not.toContain(tag);
    const refused = await h.api<{ code: string; detail: string }>('GET', `/v1/users/${tutorId}/bookings`);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('personal_data_unavailable');
    expect(refused.body.detail).toContain(cancelled);
    expect(JSON.stringify(refused.body)).not.toContain(tag);
    // The feed leaves that booking out and still lists the other.
    const partial = await unfolded();
    expect(partial).toContain(kept);
    expect(partial).not.toContain(cancelled);
    await h.pool.query('UPDATE bookings SET personal_enc = $2 WHERE booking_id = $1', [cancelled, original]);
    expect((await h.api('GET', `/v1/users/${tutorId}/bookings`)).status).toBe(200);
  });

  it('bookings recorded in clear before the upgrade are sealed when the service starts, and read the same before and after', async () => {
    const userId = h.id('legacy');
    const skipped = h.id('nosync');
    const bookingId = h.id('old');
    const oldParticipants = [
      { userId, role: 'tutor', name: `Old Name ${tag}`, email: `old.${tag}@pii.example` },
      { userId: skipped, role: 'client', name: `Quiet One ${tag}`, email: `quiet.${tag}@pii.example`, sync: false },
    ];
    // The row as the previous version wrote it: every field in clear, nothing sealed.
    await h.pool.query(
      `INSERT INTO bookings (booking_id, status, version, revision, title, description, start_at, end_at, time_zone, location,
                             meeting_url, participants, participant_user_ids, cancel_reason, templates)
       VALUES ($1, 'cancelled', 4, 3, $2, $3, '2031-01-01T10:00:00Z', '2031-01-01T11:00:00Z', 'Europe/Paris', $4, NULL, $5::jsonb, $6, $7, NULL)`,
      [
        bookingId,
        `Old title ${tag}`,
        `Old description ${tag}`,
        `Old location ${tag}`,
        JSON.stringify(oldParticipants),
        [userId, skipped],
        `Old reason ${tag}`,
      ],
    );
    const read = async () => {
      const res = await h.api<{ bookings: BookingView[] }>('GET', `/v1/users/${userId}/bookings`);
      expect(res.status).toBe(200);
      return res.body.bookings;
    };
    const before = await read();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({
      bookingId,
      title: `Old title ${tag}`,
      cancelReason: `Old reason ${tag}`,
      participants: oldParticipants.map(({ email: _email, ...p }) => p),
      timeZone: 'Europe/Paris',
    });
    expect(before[0]).not.toHaveProperty('meetingUrl');

    const oldStrings = [`Old title ${tag}`, `old.${tag}@pii.example`, `Quiet One ${tag}`, `Old reason ${tag}`];
    // The scan sees clear data where there is some.
    expect(await clearMatches(oldStrings)).toEqual(oldStrings.map((s) => `bookings: ${s}`));

    await h.restart({});
    const { rows } = await h.pool.query<Record<string, unknown>>('SELECT * FROM bookings WHERE booking_id = $1', [bookingId]);
    expect(rows[0]).toMatchObject({
      title: null,
      description: null,
      location: null,
      participants: null,
      cancel_reason: null,
      unsynced_user_ids: [skipped],
      personal_enc: expect.stringMatching(new RegExp(`^v2:${h.config.encryptionKeys[0]!.id}:`)),
    });
    expect(await clearMatches(oldStrings)).toEqual([]);
    expect(await read()).toEqual(before);
    const seal = new BookingPersonalSeal(new SecretBox(h.config.encryptionKeys));
    expect((await new PgStoredBookingStore(h.pool, seal).load(bookingId))?.projection.details.participants).toEqual(oldParticipants);
  });
});
