import { randomBytes } from 'node:crypto';
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingDetails } from '../../src/domain/booking';
import type { EventTemplates } from '../../src/domain/event-templates';
import { renderEventText } from '../../src/events/templates';
import { objectUrl } from '../../src/providers/caldav';
import { TAG_PROPERTY_ID, tagValue } from '../../src/providers/microsoft';
import { createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { eventsFor, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let radicale: RadicaleServer;
let ICAL: typeof ICALModule;
const caldavUser = { username: `parent${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('hex') };
let calendarUrl: string;

/** The deployment's templates: one per role for two roles, a default for the others; times in the booking's zone. */
const DEPLOYMENT: EventTemplates = {
  default: {
    title: '{{title}} · {{others}}',
    description:
      'For {{name}} ({{role}})\n{{othersWithRoles}}\nWhen: {{date}}, {{startTime}}–{{endTime}} ({{timeZone}})\n' +
      '{{#meetingUrl}}Join: {{meetingUrl}}{{/meetingUrl}}\nWhere: {{location}}\nRef: {{bookingId}}\n\n{{description}}',
  },
  tutor: { title: 'Teach {{title}} to {{others}} at {{startTime}}' },
  client: { title: '{{title}} with {{others}} ({{start}}–{{endTime}})' },
};

/** Every character a calendar format treats specially, and text that looks like a template, in one string. */
const SPECIAL = `a,b;c\\d "q" 'a' <b>&amp;</b> & $& {{title}} ü 👩‍🏫 𝄞 🇨🇭 \u{1F9EE}`;

beforeAll(async () => {
  ICAL = (await import('ical.js')).default;
  await ensureRadicale();
  radicale = await startRadicale({ users: [caldavUser] });
  calendarUrl = await createCalendar(radicale.url, caldavUser.username, caldavUser.password, { slug: 'family', displayName: 'Family' });
  h = await startHarness({ EVENT_TEMPLATES: JSON.stringify(DEPLOYMENT) });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await radicale?.stop();
});

interface Text {
  title: string;
  description: string;
  location: string;
}

function icsText(ics: string): Text {
  const vevent = ICAL.Component.fromString(ics).getFirstSubcomponent('vevent')!;
  return {
    title: String(vevent.getFirstPropertyValue('summary')),
    description: String(vevent.getFirstPropertyValue('description')),
    location: String(vevent.getFirstPropertyValue('location')),
  };
}

async function caldavText(bookingId: string, connectionId: string): Promise<Text | undefined> {
  const basic = `Basic ${Buffer.from(`${caldavUser.username}:${caldavUser.password}`).toString('base64')}`;
  const res = await fetch(objectUrl(calendarUrl, { bookingId, connectionId }), { headers: { authorization: basic } });
  return res.status === 200 ? icsText(await res.text()) : undefined;
}

describe('event templates', () => {
  it('renders each role its own text, exactly, with every special character, in Google, Outlook, CalDAV and the feed', async () => {
    const who = (role: string): TestParticipant => ({
      userId: h.id(role),
      role,
      name: `${role[0]!.toUpperCase()}${role.slice(1)} ${SPECIAL}`,
      email: `${role}@example.com`,
    });
    const [tutor, client, parent, student] = [who('tutor'), who('client'), who('parent'), who('student')];
    const google = await h.connectGoogle(tutor.userId);
    const outlook = await h.connectMicrosoft(client.userId, `${client.userId}@contoso.test`);
    const caldav = await h.api<{ id: string }>('POST', `/v1/users/${parent.userId}/connections`, {
      provider: 'caldav',
      serverUrl: radicale.url,
      ...caldavUser,
    });
    expect(caldav.status).toBe(201);
    const feed = await h.api<{ url: string }>('POST', `/v1/users/${student.userId}/feed-links`);
    expect(feed.status).toBe(201);

    const bookingId = h.id('bk');
    const details: BookingDetails = {
      title: `Algebra ${SPECIAL}`,
      description: `Line 1 ${SPECIAL}\nLine 2\r\n\nEND:VEVENT\nBEGIN:VALARM\tx`,
      start: '2030-05-01T15:00:00Z',
      end: '2030-05-01T16:15:00Z',
      timeZone: 'Asia/Kolkata',
      location: `Room ${SPECIAL}`,
      meetingUrl: 'https://meet.example.com/r/a,b;c?x=1&y=%22z%22',
      participants: [tutor, client, parent, student],
      templates: {
        parent: { title: 'Parent: {{title}} for {{participants}}' },
        student: { title: '{{title}} at {{startTime}} {{timeZone}}' },
      },
    };
    const confirmed = await h.api('POST', `/v1/bookings/${bookingId}/confirm`, { version: 1, ...details });
    expect(confirmed.status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 3);

    // What the service renders: line breaks are stored as LF (the confirm body's rule).
    const stored = { ...details, description: details.description!.replace(/\r\n?/g, '\n') };
    const expected = (p: TestParticipant): Text => ({
      ...renderEventText(bookingId, stored, p.userId, DEPLOYMENT),
      location: stored.location!,
    });
    // The templates that apply, not the built-in ones: times in Asia/Kolkata (UTC+5:30).
    expect(expected(tutor).title).toBe(`Teach ${details.title} to ${client.name}, ${parent.name}, ${student.name} at 20:30`);
    expect(expected(client).title).toBe(`${details.title} with ${tutor.name}, ${parent.name}, ${student.name} (2030-05-01 20:30–21:45)`);
    expect(expected(parent).title).toBe(`Parent: ${details.title} for ${[tutor, client, parent, student].map((p) => p.name).join(', ')}`);
    expect(expected(student).title).toBe(`${details.title} at 20:30 Asia/Kolkata`);
    expect(expected(student).description).toContain(`For ${student.name} (student)\nTutor: ${tutor.name}\nClient: ${client.name}\n`);
    expect(expected(student).description).toContain(
      `When: Wednesday 1 May 2030, 20:30–21:45 (Asia/Kolkata)\nJoin: ${details.meetingUrl}\n`,
    );
    expect(expected(student).description).toContain(`Ref: ${bookingId}\n\nLine 1 ${SPECIAL}\nLine 2\n\nEND:VEVENT`);

    const [g] = await eventsFor(h, google.email, bookingId);
    expect({ title: g!.summary, description: g!.description, location: g!.location }).toEqual(expected(tutor));

    const [o] = (await h.microsoft.listEvents(outlook.email)).filter((e) =>
      e.singleValueExtendedProperties?.some(
        (p) => p.id === TAG_PROPERTY_ID && p.value === tagValue({ bookingId, connectionId: outlook.connectionId }),
      ),
    );
    expect({ title: o!.subject, description: o!.body.content, location: o!.location?.displayName }).toEqual(expected(client));

    expect(await caldavText(bookingId, caldav.body.id)).toEqual(expected(parent));

    const feedIcs = await (await fetch(feed.body.url)).text();
    expect(icsText(feedIcs)).toEqual(expected(student));

    // A later confirm without the booking's templates: the parent's event falls back to the deployment's default.
    const { templates: _own, ...withoutOwn } = details;
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, { version: 2, ...withoutOwn })).status).toBe(202);
    const fallback = (p: TestParticipant) =>
      `${details.title} · ${details.participants
        .filter((x) => x !== p)
        .map((x) => x.name)
        .join(', ')}`;
    await eventually(
      async () => ((await caldavText(bookingId, caldav.body.id))?.title === fallback(parent) ? true : undefined),
      'parent event re-rendered',
    );
    expect(icsText(await (await fetch(feed.body.url)).text()).title).toBe(fallback(student));
  });

  it('refuses a confirm whose template names an unknown placeholder with a 400 naming it, and starts nothing', async () => {
    const bookingId = h.id('bk');
    const participant: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob', email: 'bob@example.com' };
    const res = await h.api<{ code: string; detail: string; errors: Array<{ path: string }> }>(
      'POST',
      `/v1/bookings/${bookingId}/confirm`,
      {
        title: 'Algebra',
        start: '2030-05-01T15:00:00Z',
        end: '2030-05-01T16:00:00Z',
        timeZone: 'Europe/London',
        participants: [participant],
        templates: { client: { description: 'See you at {{venue}}' } },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
    expect(res.body.detail).toMatch(/^body\.templates\.client\.description: unknown placeholder \{\{venue\}\}/);
    expect((await h.api('GET', `/v1/bookings/${bookingId}`)).status).toBe(404);
  });
});
