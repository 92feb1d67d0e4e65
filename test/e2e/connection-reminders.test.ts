import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { objectUrl } from '../../src/providers/caldav';
import { TAG_PROPERTY_ID, tagValue } from '../../src/providers/microsoft';
import { confirmBody, eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
/** A CalDAV account whose user name is an e-mail address (e-mail alarms go to it), and one whose is not. */
const mailUser = { username: `rem${randomBytes(3).toString('hex')}@example.test`, password: randomBytes(12).toString('hex') };
const plainUser = { username: `plain${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
let mailCalendar: string;

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [mailUser, plainUser] });
  mailCalendar = await createCalendar(radicale.url, mailUser.username, mailUser.password, { slug: 'personal', displayName: 'Personal' });
  await createCalendar(radicale.url, plainUser.username, plainUser.password, { slug: 'personal', displayName: 'Personal' });
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

type Reminder = { method: 'email' | 'popup'; minutes: number };
interface ConnectionJson {
  id: string;
  reminders: Reminder[] | null;
  bulkSync?: { state: string };
}
interface ErrorJson {
  code: string;
  detail: string;
}

const DEFAULT_OVERRIDES: Reminder[] = [
  { method: 'email', minutes: 1440 },
  { method: 'popup', minutes: 60 },
  { method: 'popup', minutes: 15 },
];

const patch = (userId: string, connectionId: string, body: Record<string, unknown>) =>
  h.api<ConnectionJson & ErrorJson>('PATCH', `/v1/users/${userId}/connections/${connectionId}`, body);

async function connection(userId: string, connectionId: string): Promise<ConnectionJson> {
  const list = await h.api<{ connections: ConnectionJson[] }>('GET', `/v1/users/${userId}/connections`);
  return list.body.connections.find((c) => c.id === connectionId)!;
}

/**
 * Waits for the bulk sync a connect starts to end, before any booking: a later one would rewrite
 * the events too, and a test could pass without the re-sync that new reminders start.
 */
async function firstSyncDone(userId: string, connectionId: string): Promise<void> {
  await eventually(
    async () => ((await connection(userId, connectionId)).bulkSync?.state === 'completed' ? true : undefined),
    'the bulk sync of the connect',
  );
}

/** Confirms a booking of `userId` alone (their own event is what is looked at) and waits for its event. */
async function bookFor(userId: string, start = '2030-05-01T15:00:00Z'): Promise<string> {
  const bookingId = h.id('bk');
  const self: TestParticipant = { userId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
  const end = new Date(Date.parse(start) + 3_600_000).toISOString();
  expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([self], { start, end }))).status).toBe(202);
  await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
  return bookingId;
}

describe('reminders per connection', () => {
  it('Google: up to 5 overrides; a sixth is refused changing nothing; new ones rewrite future events; null returns to EVENT_REMINDERS', async () => {
    const userId = h.id('gtutor');
    const google = await h.connectGoogle(userId);
    await firstSyncDone(userId, google.connectionId);
    const bookingId = await bookFor(userId);
    const overrides = async () => (await eventsFor(h, google.email, bookingId))[0]?.reminders;
    expect(await overrides()).toEqual({ useDefault: false, overrides: DEFAULT_OVERRIDES });

    const six = [5, 10, 20, 30, 45, 90].map((minutes): Reminder => ({ method: 'popup', minutes }));
    const refused = await patch(userId, google.connectionId, { reminders: six, syncEnabled: false });
    expect(refused.status).toBe(400);
    expect([refused.body.code, refused.body.detail]).toEqual([
      'reminders_not_supported',
      'Google Calendar allows at most 5 reminders per event',
    ]);
    expect(await connection(userId, google.connectionId)).toMatchObject({ reminders: null, syncEnabled: true });

    const five: Reminder[] = [{ method: 'email', minutes: 2880 }, ...six.slice(0, 4)];
    const accepted = await patch(userId, google.connectionId, { reminders: five });
    expect(accepted.status).toBe(200);
    expect(accepted.body.reminders).toEqual(five);
    await eventually(async () => ((await overrides())?.overrides?.length === 5 ? true : undefined), 'the event to get the new reminders');
    expect(await overrides()).toEqual({ useDefault: false, overrides: five });
    // A booking made afterwards gets them at once.
    const later = await bookFor(userId, '2030-06-01T15:00:00Z');
    expect((await eventsFor(h, google.email, later))[0]?.reminders?.overrides).toEqual(five);

    expect((await patch(userId, google.connectionId, { reminders: null })).body.reminders).toBeNull();
    await eventually(
      async () => ((await overrides())?.overrides?.length === 3 ? true : undefined),
      'the event to get EVENT_REMINDERS back',
    );
    expect(await overrides()).toEqual({ useDefault: false, overrides: DEFAULT_OVERRIDES });
  });

  it('Outlook: one popup reminder; two, or an e-mail one, are refused; none turns its reminder off', async () => {
    const userId = h.id('otutor');
    const outlook = await h.connectMicrosoft(userId, `${userId}@contoso.test`);
    await firstSyncDone(userId, outlook.connectionId);
    const bookingId = await bookFor(userId);
    const tag = tagValue({ bookingId, connectionId: outlook.connectionId });
    const event = async () =>
      (await h.microsoft.listEvents(outlook.email)).find((e) =>
        e.singleValueExtendedProperties?.some((p) => p.id === TAG_PROPERTY_ID && p.value === tag),
      );
    expect(await event()).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 15 });

    const two = await patch(userId, outlook.connectionId, {
      reminders: [
        { method: 'popup', minutes: 30 },
        { method: 'popup', minutes: 10 },
      ],
    });
    expect([two.status, two.body.code, two.body.detail]).toEqual([400, 'reminders_not_supported', 'Outlook allows one reminder per event']);
    const email = await patch(userId, outlook.connectionId, { reminders: [{ method: 'email', minutes: 60 }] });
    expect(email.status).toBe(400);
    expect(email.body.detail).toContain('Outlook has no e-mail reminders');
    expect((await connection(userId, outlook.connectionId)).reminders).toBeNull();

    expect((await patch(userId, outlook.connectionId, { reminders: [{ method: 'popup', minutes: 30 }] })).status).toBe(200);
    await eventually(async () => ((await event())?.reminderMinutesBeforeStart === 30 ? true : undefined), 'the 30-minute reminder');
    expect(await event()).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 30 });

    expect((await patch(userId, outlook.connectionId, { reminders: [] })).body.reminders).toEqual([]);
    await eventually(async () => ((await event())?.isReminderOn === false ? true : undefined), 'the reminder turned off');
  });

  it('CalDAV: e-mail reminders become EMAIL alarms to the account, popups DISPLAY alarms; without an address e-mail ones are refused', async () => {
    const connect = async (userId: string, u: { username: string; password: string }) => {
      const res = await h.api<ConnectionJson>('POST', `/v1/users/${userId}/connections`, {
        provider: 'caldav',
        serverUrl: radicale.url,
        ...u,
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    const plainId = h.id('plain');
    const plainConnection = await connect(plainId, plainUser);
    const noAddress = await patch(plainId, plainConnection, { reminders: [{ method: 'email', minutes: 60 }] });
    expect([noAddress.status, noAddress.body.code]).toEqual([400, 'reminders_not_supported']);
    expect(noAddress.body.detail).toContain('not an e-mail address');

    const userId = h.id('ctutor');
    const connectionId = await connect(userId, mailUser);
    await firstSyncDone(userId, connectionId);
    const bookingId = await bookFor(userId);
    const ics = async () => {
      const auth = `Basic ${Buffer.from(`${mailUser.username}:${mailUser.password}`).toString('base64')}`;
      const res = await fetch(objectUrl(mailCalendar, { bookingId, connectionId }), { headers: { authorization: auth } });
      return (await res.text()).replace(/\r\n[ \t]/g, '');
    };
    // EVENT_REMINDERS: display alarms only, as before.
    expect((await ics()).match(/ACTION:\w+/g)).toEqual(['ACTION:DISPLAY', 'ACTION:DISPLAY', 'ACTION:DISPLAY']);

    const reminders: Reminder[] = [
      { method: 'email', minutes: 60 },
      { method: 'popup', minutes: 10 },
    ];
    expect((await patch(userId, connectionId, { reminders })).status).toBe(200);
    await eventually(async () => ((await ics()).includes('ACTION:EMAIL') ? true : undefined), 'the e-mail alarm');
    const alarms = (await ics()).split('BEGIN:VALARM').slice(1);
    expect(alarms).toHaveLength(2);
    expect(alarms[0]).toMatch(/ACTION:EMAIL/);
    expect(alarms[0]).toMatch(/TRIGGER:-PT1H/);
    expect(alarms[0]).toMatch(new RegExp(`ATTENDEE[^\\r\\n]*:mailto:${mailUser.username}`, 'i'));
    expect(alarms[0]).toMatch(/SUMMARY:Algebra lesson/);
    expect(alarms[1]).toMatch(/ACTION:DISPLAY/);
    expect(alarms[1]).toMatch(/TRIGGER:-PT10M/);
  });
});
