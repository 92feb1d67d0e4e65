import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import type { BookingView } from '../../src/domain/booking';
import { objectUrl } from '../../src/providers/caldav';
import { TAG_PROPERTY_ID, tagValue } from '../../src/providers/microsoft';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
const davUser = { username: `sel${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
let davCalendar: string;

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [davUser] });
  davCalendar = await createCalendar(radicale.url, davUser.username, davUser.password, { slug: 'personal', displayName: 'Personal' });
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

/** A participant as the booking system sends it, with `sync` only when given. */
const personAs =
  (role: string, name: string) =>
  (userId: string, sync?: boolean): TestParticipant => ({
    userId,
    role,
    name,
    email: `${role}@example.com`,
    ...(sync === undefined ? {} : { sync }),
  });
const tutorOf = personAs('tutor', 'Ada Lovelace');
const clientOf = personAs('client', 'Bob Builder');

/** The user's calendar records in the booking's view, as `state:connection` (no connection: `-`). */
const statesOf = (v: BookingView, userId: string) =>
  v.calendars
    .filter((c) => c.userId === userId)
    .map((c) => `${c.state}:${c.connectionId ?? '-'}`)
    .sort();

/** Confirms `version` and waits until the workflow applied it and every calendar settled. */
async function confirmAndSettle(bookingId: string, version: number, participants: TestParticipant[]): Promise<BookingView> {
  expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody(participants, { version }))).status).toBe(202);
  return settled(h, bookingId, (v) => v.version === version);
}

async function feedUids(url: string): Promise<string[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return [...(await res.text()).matchAll(/^UID:(.*)$/gm)].map((m) => m[1]!.trim());
}

describe('selective sync: a participant with "sync": false gets nothing, and a later confirm can flip it', () => {
  it('Outlook and Google events and feed entries appear and go as the flag flips', async () => {
    const tutorId = h.id('tutor');
    const clientId = h.id('client');
    const outlook = await h.connectMicrosoft(tutorId, `${tutorId}@contoso.test`);
    const google = await h.connectGoogle(clientId);
    const feeds = await Promise.all(
      [tutorId, clientId].map(async (userId) => (await h.api<{ url: string }>('POST', `/v1/users/${userId}/feed-links`)).body.url),
    );
    const [tutorFeed, clientFeed] = feeds as [string, string];
    const bookingId = h.id('bk');
    const uid = `${bookingId}@127.0.0.1`;
    const outlookEvents = async () =>
      (await h.microsoft.listEvents(outlook.email)).filter((e) =>
        e.singleValueExtendedProperties?.some(
          (p) => p.id === TAG_PROPERTY_ID && p.value === tagValue({ bookingId, connectionId: outlook.connectionId }),
        ),
      );

    // v1: the client opted out. Only the tutor's calendar and feed get the booking.
    const v1 = await confirmAndSettle(bookingId, 1, [tutorOf(tutorId), clientOf(clientId, false)]);
    expect(statesOf(v1, tutorId)).toEqual([`synced:${outlook.connectionId}`]);
    expect(statesOf(v1, clientId)).toEqual(['skipped:-']);
    expect(v1.participants.find((p) => p.userId === clientId)?.sync).toBe(false);
    expect(await outlookEvents()).toHaveLength(1);
    expect(await eventsFor(h, google.email, bookingId, true)).toHaveLength(0);
    expect(await feedUids(tutorFeed)).toContain(uid);
    expect(await feedUids(clientFeed)).not.toContain(uid);

    // v2: flipped. The client's event and feed entry appear, the tutor's go.
    const v2 = await confirmAndSettle(bookingId, 2, [tutorOf(tutorId, false), clientOf(clientId, true)]);
    expect(statesOf(v2, tutorId)).toEqual([`deleted:${outlook.connectionId}`, 'skipped:-']);
    expect(statesOf(v2, clientId)).toEqual([`synced:${google.connectionId}`]);
    expect(await outlookEvents()).toHaveLength(0);
    const created = await eventsFor(h, google.email, bookingId);
    expect(created.map((e) => e.summary)).toEqual(['Algebra lesson with Ada Lovelace']);
    expect(await feedUids(tutorFeed)).not.toContain(uid);
    expect(await feedUids(clientFeed)).toContain(uid);

    // v3: the tutor back in, the client out again: Outlook gets a new event, Google's is removed.
    const v3 = await confirmAndSettle(bookingId, 3, [tutorOf(tutorId), clientOf(clientId, false)]);
    expect(statesOf(v3, tutorId)).toEqual([`synced:${outlook.connectionId}`]);
    expect(statesOf(v3, clientId)).toEqual([`deleted:${google.connectionId}`, 'skipped:-']);
    expect(await outlookEvents()).toHaveLength(1);
    expect(await eventsFor(h, google.email, bookingId)).toHaveLength(0);
    expect((await eventsFor(h, google.email, bookingId, true)).map((e) => e.status)).toEqual(['cancelled']);
    expect(await feedUids(tutorFeed)).toContain(uid);
    expect(await feedUids(clientFeed)).not.toContain(uid);

    // v4: both in. The client's Google event comes back (the same event, no second one).
    const v4 = await confirmAndSettle(bookingId, 4, [tutorOf(tutorId), clientOf(clientId)]);
    expect(statesOf(v4, clientId)).toEqual([`synced:${google.connectionId}`]);
    expect((await eventsFor(h, google.email, bookingId, true)).map((e) => [e.id, e.status])).toEqual([[created[0]!.id, 'confirmed']]);
    expect(await outlookEvents()).toHaveLength(1);
    expect(await feedUids(clientFeed)).toContain(uid);
  });

  it('a CalDAV event goes when sync is turned off and is written again when it is turned back on', async () => {
    const clientId = h.id('client');
    const connected = await h.api<{ id: string }>('POST', `/v1/users/${clientId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...davUser,
    });
    expect(connected.status).toBe(201);
    const connectionId = connected.body.id;
    const bookingId = h.id('bk');
    const ics = async () => {
      const res = await fetch(objectUrl(davCalendar, { bookingId, connectionId }), {
        headers: { authorization: basicAuth(davUser.username, davUser.password) },
      });
      return res.status === 200 ? res.text() : res.status;
    };

    await confirmAndSettle(bookingId, 1, [clientOf(clientId)]);
    expect(await ics()).toContain('SUMMARY:Algebra lesson');

    const off = await confirmAndSettle(bookingId, 2, [clientOf(clientId, false)]);
    expect(statesOf(off, clientId)).toEqual([`deleted:${connectionId}`, 'skipped:-']);
    expect(await ics()).toBe(404);

    const on = await confirmAndSettle(bookingId, 3, [clientOf(clientId, true)]);
    expect(statesOf(on, clientId)).toEqual([`synced:${connectionId}`]);
    expect(await ics()).toContain('SUMMARY:Algebra lesson');
  });

  it('refuses a sync flag that is not a boolean, changing nothing', async () => {
    const bookingId = h.id('bk');
    const res = await h.api<{ code: string }>(
      'POST',
      `/v1/bookings/${bookingId}/confirm`,
      confirmBody([{ ...clientOf(h.id('client')), sync: 'no' } as unknown as TestParticipant]),
    );
    expect(res.status).toBe(400);
    expect((await h.api('GET', `/v1/bookings/${bookingId}`)).status).toBe(404);
  });
});
