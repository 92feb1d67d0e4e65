import { describe, expect, it } from 'vitest';
import {
  Client,
  GraphError,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { createMicrosoftSandboxApp, TRANSACTION_ID_MEMORY_MS, type GraphEvent, type GraphEventInput } from '../src/microsoft';
import { createMicrosoftState } from '../src/microsoft/state';
import { serveSandbox } from '../src/shared/server';
import { CLIENT_ID, CLIENT_SECRET, connect as connectTo, useMicrosoftSandbox, type GraphResult, type Json } from './microsoft-test-client';

// The Graph calendar surface of the Microsoft sandbox: calendars, events, time zones,
// extended properties, calendarView and its delta, throttling, and the SDK against it.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OUTLOOK_ID = /^AAMkA[A-Za-z0-9_-]{100,}=*$/;
const GRAPH_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/;
const GRAPH_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const PROPERTY_ID = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name bookingKey';

const sandbox = useMicrosoftSandbox();

function connect(email: string, scope?: string): Promise<string> {
  return connectTo(sandbox.url, email, scope);
}

interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  baseUrl?: string;
}

/** A Graph call; `path` is below /v1.0 or a full URL (a nextLink or deltaLink). */
async function graph(token: string | undefined, path: string, options: CallOptions = {}): Promise<GraphResult> {
  const url = /^https?:/.test(path) ? path : `${options.baseUrl ?? sandbox.url}/v1.0${path}`;
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as GraphResult['body']) : {} };
}

function post(token: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphResult> {
  return graph(token, path, { method: 'POST', body, headers });
}

function patch(token: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphResult> {
  return graph(token, path, { method: 'PATCH', body, headers });
}

function del(token: string, path: string, headers: Record<string, string> = {}): Promise<GraphResult> {
  return graph(token, path, { method: 'DELETE', headers });
}

function eventPath(id: unknown): string {
  return `/me/events/${encodeURIComponent(String(id))}`;
}

function values(result: GraphResult): Json[] {
  return result.body['value'] as Json[];
}

function ids(result: GraphResult): unknown[] {
  return values(result).map((item) => item['id']);
}

function utcEvent(subject: string, start: string, end: string, extra: Partial<GraphEventInput> = {}): GraphEventInput {
  return { subject, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' }, ...extra };
}

/** Graph's exact 404 for an unknown or deleted item (request ids aside). */
function expectItemNotFound(result: GraphResult): void {
  expect(result.status).toBe(404);
  expect(result.body).toEqual({
    error: {
      code: 'ErrorItemNotFound',
      message: 'The specified object was not found in the store.',
      innerError: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        'request-id': expect.stringMatching(GUID),
        'client-request-id': expect.any(String),
      },
    },
  });
}

describe('calendars', () => {
  it('lists the default calendar and the ones created through control, and gets each', async () => {
    await sandbox.control.createAccount('cal.owner@sandbox.test', 'Cal Owner');
    const token = await connect('cal.owner@sandbox.test');
    const shared = await sandbox.control.createCalendar('cal.owner@sandbox.test', {
      name: 'Team holidays',
      canEdit: false,
      owner: { name: 'Boss', address: 'boss@sandbox.test' },
    });
    expect(shared).toMatchObject({ name: 'Team holidays', isDefaultCalendar: false, canEdit: false, canShare: false });
    expect(shared.id).toMatch(OUTLOOK_ID);

    const list = await graph(token, '/me/calendars');
    expect(list.status).toBe(200);
    expect(list.body['@odata.context']).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/\$metadata#users\('[0-9a-f-]{36}'\)\/calendars$/);
    expect(values(list)).toEqual([
      expect.objectContaining({
        name: 'Calendar',
        isDefaultCalendar: true,
        canEdit: true,
        owner: { name: 'Cal Owner', address: 'cal.owner@sandbox.test' },
      }),
      expect.objectContaining({
        id: shared.id,
        name: 'Team holidays',
        canEdit: false,
        owner: { name: 'Boss', address: 'boss@sandbox.test' },
      }),
    ]);
    const defaultId = values(list)[0]?.['id'];
    expect(defaultId).toMatch(OUTLOOK_ID);
    expect(defaultId).not.toBe(shared.id);

    const primary = await graph(token, '/me/calendar');
    expect(primary.status).toBe(200);
    expect(primary.body).toMatchObject({ id: defaultId, isDefaultCalendar: true });
    expect(primary.body['@odata.context']).toMatch(/\/calendar\/\$entity$/);
    const byId = await graph(token, `/me/calendars/${encodeURIComponent(shared.id)}`);
    expect(byId.body).toMatchObject({ id: shared.id, name: 'Team holidays', canEdit: false });
    expectItemNotFound(await graph(token, '/me/calendars/AAMkAnope='));
    expect((await sandbox.control.listCalendars('cal.owner@sandbox.test')).map((calendar) => calendar.id)).toEqual([defaultId, shared.id]);
  });

  it('takes write access to a calendar away and gives it back (control PATCH canEdit)', async () => {
    const token = await connect('perm.owner@sandbox.test');
    const family = await sandbox.control.createCalendar('perm.owner@sandbox.test', { name: 'Family' });
    const path = `/me/calendars/${encodeURIComponent(family.id)}/events`;
    expect((await post(token, path, utcEvent('Before', '2026-10-01T09:00:00', '2026-10-01T10:00:00'))).status).toBe(201);
    expect(await sandbox.control.setCalendarAccess('perm.owner@sandbox.test', family.id, false)).toMatchObject({ canEdit: false });
    const refused = await post(token, path, utcEvent('During', '2026-10-02T09:00:00', '2026-10-02T10:00:00'));
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'ErrorAccessDenied']);
    expect(values(await graph(token, '/me/calendars')).find((c) => c['id'] === family.id)).toMatchObject({ canEdit: false });
    await sandbox.control.setCalendarAccess('perm.owner@sandbox.test', family.id, true);
    expect((await post(token, path, utcEvent('After', '2026-10-03T09:00:00', '2026-10-03T10:00:00'))).status).toBe(201);
  });

  it('answers every mailbox call of a disabled account with 404 MailboxNotEnabledForRESTAPI, /me still answering', async () => {
    const token = await connect('disabled.user@sandbox.test');
    await sandbox.control.setAccountDisabled('disabled.user@sandbox.test', true);
    for (const path of ['/me/calendars', '/me/events', '/me/calendar']) {
      const result = await graph(token, path);
      expect([result.status, result.body.error?.code], path).toEqual([404, 'MailboxNotEnabledForRESTAPI']);
    }
    expect((await graph(token, '/me')).status).toBe(200);
    await sandbox.control.setAccountDisabled('disabled.user@sandbox.test', false);
    expect((await graph(token, '/me/calendars')).status).toBe(200);
  });

  it('needs a Calendars permission: 403 ErrorAccessDenied, and Calendars.Read cannot write', async () => {
    const none = await connect('no-calendars@sandbox.test', 'offline_access User.Read');
    const denied = await graph(none, '/me/events');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
    expect((await graph(none, '/me/calendars')).status).toBe(403);

    const reader = await connect('reader@sandbox.test', 'offline_access Calendars.Read');
    expect((await graph(reader, '/me/events')).status).toBe(200);
    const write = await post(reader, '/me/events', utcEvent('Nope', '2026-10-01T09:00:00', '2026-10-01T10:00:00'));
    expect(write.status).toBe(403);
    expect(write.body.error?.code).toBe('ErrorAccessDenied');
    expect(await sandbox.control.listEvents('reader@sandbox.test')).toEqual([]);
  });
});

describe('events: create, read, update, delete', () => {
  it('creates an event with Graph’s shape and reads it back', async () => {
    await sandbox.control.createAccount('ada.lovelace@sandbox.test');
    const token = await connect('ada.lovelace@sandbox.test');
    const created = await post(token, '/me/events', {
      subject: 'Tutoring: maths',
      body: { contentType: 'html', content: '<p>Bring <b>notes</b> &amp; a pen</p>' },
      start: { dateTime: '2026-10-25T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-10-25T10:00:00', timeZone: 'UTC' },
      location: { displayName: 'Room 4' },
      isReminderOn: true,
      reminderMinutesBeforeStart: 30,
      showAs: 'busy',
    });
    expect(created.status).toBe(201);
    const event = created.body;
    expect(event['@odata.context']).toMatch(
      /^https:\/\/graph\.microsoft\.com\/v1\.0\/\$metadata#users\('[0-9a-f-]{36}'\)\/events\/\$entity$/,
    );
    expect(event['id']).toMatch(OUTLOOK_ID);
    expect(event['changeKey']).toMatch(/^[A-Za-z0-9+/]{20,}=*$/);
    expect(event['@odata.etag']).toBe(`W/"${String(event['changeKey'])}"`);
    expect(event['createdDateTime']).toMatch(GRAPH_TIMESTAMP);
    expect(event['lastModifiedDateTime']).toMatch(GRAPH_TIMESTAMP);
    expect(event).toMatchObject({
      subject: 'Tutoring: maths',
      body: { contentType: 'html', content: '<p>Bring <b>notes</b> &amp; a pen</p>' },
      bodyPreview: 'Bring notes & a pen',
      start: { dateTime: '2026-10-25T09:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-10-25T10:00:00.0000000', timeZone: 'UTC' },
      location: { displayName: 'Room 4' },
      isReminderOn: true,
      reminderMinutesBeforeStart: 30,
      transactionId: null,
      showAs: 'busy',
      isCancelled: false,
      isAllDay: false,
      type: 'singleInstance',
      organizer: { emailAddress: { name: 'Ada Lovelace', address: 'ada.lovelace@sandbox.test' } },
    });
    expect(event['iCalUId']).toMatch(/^040000008200E00074C5B7101A82E00800000000[0-9A-F]+$/);
    const itemId = encodeURIComponent(String(event['id']));
    expect(event['webLink']).toBe(`https://outlook.office365.com/owa/?itemid=${itemId}&exvsurl=1&path=/calendar/item`);
    expect(event).not.toHaveProperty('singleValueExtendedProperties');

    const read = await graph(token, eventPath(event['id']));
    expect(read.status).toBe(200);
    const { '@odata.context': _context, ...withoutContext } = event;
    expect(read.body).toMatchObject(withoutContext);

    const defaults = await post(token, '/me/events', utcEvent('Defaults', '2026-10-26T09:00:00', '2026-10-26T09:30:00'));
    expect(defaults.body).toMatchObject({
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      showAs: 'busy',
      body: { contentType: 'text', content: '' },
    });
    expect(defaults.body['id']).not.toBe(event['id']);
    expect((await graph(token, '/me/events')).body['value']).toHaveLength(2);
  });

  it('patches (200 with the updated event, new change key) and deletes (204, then 404 everywhere)', async () => {
    const token = await connect('crud@sandbox.test');
    const created = await post(
      token,
      '/me/events',
      utcEvent('Before', '2026-10-25T09:00:00', '2026-10-25T10:00:00', { isReminderOn: true }),
    );
    const id = created.body['id'];
    await new Promise((resolve) => setTimeout(resolve, 5));

    const updated = await patch(token, eventPath(id), { subject: 'After', isReminderOn: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id,
      subject: 'After',
      isReminderOn: false,
      start: { dateTime: '2026-10-25T09:00:00.0000000', timeZone: 'UTC' },
      createdDateTime: created.body['createdDateTime'],
    });
    expect(updated.body['changeKey']).not.toBe(created.body['changeKey']);
    expect(updated.body['@odata.etag']).toBe(`W/"${String(updated.body['changeKey'])}"`);
    expect(Date.parse(String(updated.body['lastModifiedDateTime']))).toBeGreaterThan(
      Date.parse(String(created.body['lastModifiedDateTime'])),
    );
    expect((await graph(token, eventPath(id))).body['subject']).toBe('After');

    const deleted = await del(token, eventPath(id));
    expect(deleted.status).toBe(204);
    expectItemNotFound(await graph(token, eventPath(id)));
    expectItemNotFound(await del(token, eventPath(id)));
    expectItemNotFound(await patch(token, eventPath(id), { subject: 'Again' }));
    expect(values(await graph(token, '/me/events'))).toEqual([]);
    expectItemNotFound(await graph(token, eventPath('AAMkAnever-was=')));
  });

  it('answers a stale If-Match with 412 ErrorIrresolvableConflict and accepts the current etag or *', async () => {
    const token = await connect('ifmatch@sandbox.test');
    const created = await post(token, '/me/events', utcEvent('v1', '2026-10-25T09:00:00', '2026-10-25T10:00:00'));
    const id = created.body['id'];
    const staleEtag = String(created.body['@odata.etag']);
    const v2 = await patch(token, eventPath(id), { subject: 'v2' }, { 'if-match': staleEtag });
    expect(v2.status).toBe(200);

    const stale = await patch(token, eventPath(id), { subject: 'v3' }, { 'if-match': staleEtag });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: 'ErrorIrresolvableConflict',
      message:
        'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    });
    expect((await del(token, eventPath(id), { 'if-match': staleEtag })).status).toBe(412);
    expect((await graph(token, eventPath(id))).body['subject']).toBe('v2');

    expect((await patch(token, eventPath(id), { subject: 'v3' }, { 'if-match': String(v2.body['@odata.etag']) })).status).toBe(200);
    expect((await del(token, eventPath(id), { 'if-match': '*' })).status).toBe(204);
  });

  it('validates bodies like Graph: unknown properties, missing times, end before start', async () => {
    const token = await connect('validate@sandbox.test');
    const unknown = await post(token, '/me/events', { ...utcEvent('x', '2026-10-25T09:00:00', '2026-10-25T10:00:00'), colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toContain("The property 'colour' does not exist on type 'microsoft.graph.event'");
    const noEnd = await post(token, '/me/events', { subject: 'x', start: { dateTime: '2026-10-25T09:00:00', timeZone: 'UTC' } });
    expect(noEnd.status).toBe(400);
    const backwards = await post(token, '/me/events', utcEvent('x', '2026-10-25T10:00:00', '2026-10-25T09:00:00'));
    expect(backwards.status).toBe(400);
    expect(backwards.body.error?.code).toBe('ErrorInvalidRequest');
    const badProperty = await post(token, '/me/events', {
      ...utcEvent('x', '2026-10-25T09:00:00', '2026-10-25T10:00:00'),
      singleValueExtendedProperties: [{ id: 'not an id', value: 'v' }],
    });
    expect(badProperty.status).toBe(400);
    expect(await sandbox.control.listEvents('validate@sandbox.test')).toEqual([]);
  });

  it('supports $select, $top and @odata.nextLink paging on /me/events', async () => {
    const token = await connect('paging@sandbox.test');
    for (let i = 1; i <= 5; i += 1) {
      await post(token, '/me/events', utcEvent(`Event ${i}`, `2026-10-0${i}T09:00:00`, `2026-10-0${i}T10:00:00`));
    }
    const first = await graph(token, '/me/events?$select=subject,start&$top=2');
    expect(first.status).toBe(200);
    expect(first.body['@odata.context']).toMatch(/\/events\(subject,start\)$/);
    expect(values(first).map((event) => event['subject'])).toEqual(['Event 1', 'Event 2']);
    expect(Object.keys(values(first)[0] ?? {}).sort()).toEqual(['@odata.etag', 'id', 'start', 'subject']);
    const nextLink = String(first.body['@odata.nextLink']);
    expect(nextLink).toMatch(new RegExp(`^${sandbox.url}/v1\\.0/me/events\\?`));
    expect(nextLink).toContain('$skip=2');

    const second = await graph(token, nextLink);
    expect(values(second).map((event) => event['subject'])).toEqual(['Event 3', 'Event 4']);
    expect(Object.keys(values(second)[0] ?? {})).not.toContain('body');
    const third = await graph(token, String(second.body['@odata.nextLink']));
    expect(values(third).map((event) => event['subject'])).toEqual(['Event 5']);
    expect(third.body).not.toHaveProperty('@odata.nextLink');

    const defaultPage = await graph(token, '/me/events', { headers: { prefer: 'odata.maxpagesize=4' } });
    expect(values(defaultPage)).toHaveLength(4);
    expect(defaultPage.body['@odata.nextLink']).toBeTypeOf('string');
    const badSelect = await graph(token, '/me/events?$select=colour');
    expect(badSelect.status).toBe(400);
  });
});

describe('transactionId', () => {
  it('turns a repeated POST into the existing event (201), per mailbox; other ids create events', async () => {
    const token = await connect('retry@sandbox.test');
    const other = await connect('other-mailbox@sandbox.test');
    const input = utcEvent('Booking 42', '2026-10-25T09:00:00', '2026-10-25T10:00:00', { transactionId: 'booking-42-conn-7' });
    const first = await post(token, '/me/events', input);
    const second = await post(token, '/me/events', input);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(first.body['transactionId']).toBe('booking-42-conn-7');
    expect(second.body['id']).toBe(first.body['id']);
    expect(second.body['changeKey']).toBe(first.body['changeKey']);
    expect(await sandbox.control.listEvents('retry@sandbox.test')).toHaveLength(1);

    // The retry returns the event as it is now, even with a different body.
    await patch(token, eventPath(first.body['id']), { subject: 'Booking 42 (moved)' });
    const third = await post(token, '/me/events', { ...input, subject: 'Ignored' });
    expect(third.body).toMatchObject({ id: first.body['id'], subject: 'Booking 42 (moved)' });

    const elsewhere = await post(other, '/me/events', input);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body['id']).not.toBe(first.body['id']);
    const different = await post(token, '/me/events', { ...input, transactionId: 'booking-43-conn-7' });
    expect(different.body['id']).not.toBe(first.body['id']);
    expect(await sandbox.control.listEvents('retry@sandbox.test')).toHaveLength(2);

    // A deleted event does not keep its transactionId: the same POST creates a new one.
    expect((await del(token, eventPath(first.body['id']))).status).toBe(204);
    const recreated = await post(token, '/me/events', input);
    expect(recreated.status).toBe(201);
    expect(recreated.body['id']).not.toBe(first.body['id']);
    expect(await sandbox.control.listEvents('retry@sandbox.test')).toHaveLength(2);

    const changeAttempt = await patch(token, eventPath(recreated.body['id']), { transactionId: 'something-else' });
    expect(changeAttempt.status).toBe(400);
  });

  it('forgets a transactionId after 24 hours', async () => {
    let clock = Date.parse('2026-10-01T08:00:00Z');
    const state = createMicrosoftState({
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
      config: { accessTokenTtlSeconds: 7 * 24 * 3600 },
      now: () => clock,
    });
    const clocked = await serveSandbox(createMicrosoftSandboxApp(state), {});
    try {
      const token = await connectTo(clocked.url, 'clocked@sandbox.test');
      const input = utcEvent('Once', '2026-10-25T09:00:00', '2026-10-25T10:00:00', { transactionId: 'tx-1' });
      const first = await graph(token, '/me/events', { method: 'POST', body: input, baseUrl: clocked.url });
      expect(first.status).toBe(201);
      clock += TRANSACTION_ID_MEMORY_MS - 1000;
      const within = await graph(token, '/me/events', { method: 'POST', body: input, baseUrl: clocked.url });
      expect(within.body['id']).toBe(first.body['id']);
      clock += 2000;
      const after = await graph(token, '/me/events', { method: 'POST', body: input, baseUrl: clocked.url });
      expect(after.status).toBe(201);
      expect(after.body['id']).not.toBe(first.body['id']);
    } finally {
      await clocked.close();
    }
  });
});

describe('time zones', () => {
  it('takes Windows and IANA zones, answers in UTC, or in the Prefer: outlook.timezone zone', async () => {
    const token = await connect('zones@sandbox.test');
    const created = await post(token, '/me/events', {
      subject: 'New York morning',
      start: { dateTime: '2026-07-01T09:00:00', timeZone: 'Eastern Standard Time' },
      end: { dateTime: '2026-07-01T10:30:00', timeZone: 'America/New_York' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('preference-applied')).toBeNull();
    expect(created.body).toMatchObject({
      start: { dateTime: '2026-07-01T13:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-07-01T14:30:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: 'Eastern Standard Time',
      originalEndTimeZone: 'America/New_York',
    });
    const id = created.body['id'];

    const pacific = await graph(token, eventPath(id), { headers: { prefer: 'outlook.timezone="Pacific Standard Time"' } });
    expect(pacific.body['start']).toEqual({ dateTime: '2026-07-01T06:00:00.0000000', timeZone: 'Pacific Standard Time' });
    expect(pacific.body['end']).toEqual({ dateTime: '2026-07-01T07:30:00.0000000', timeZone: 'Pacific Standard Time' });
    expect(pacific.headers.get('preference-applied')).toBe('outlook.timezone="Pacific Standard Time"');

    const berlin = await graph(token, '/me/events', { headers: { prefer: 'outlook.timezone="Europe/Berlin", IdType="ImmutableId"' } });
    expect(values(berlin)[0]?.['start']).toEqual({ dateTime: '2026-07-01T15:00:00.0000000', timeZone: 'Europe/Berlin' });
    expect(berlin.headers.get('preference-applied')).toBe('outlook.timezone="Europe/Berlin", IdType="ImmutableId"');

    // London in winter is UTC+0, in summer UTC+1: the zone's rules apply on each date.
    const london = await post(
      token,
      '/me/events',
      {
        subject: 'London',
        start: { dateTime: '2026-10-26T09:00:00', timeZone: 'GMT Standard Time' },
        end: { dateTime: '2026-10-26T10:00:00', timeZone: 'GMT Standard Time' },
      },
      { prefer: 'outlook.timezone="Central European Standard Time"' },
    );
    expect(london.body['start']).toEqual({ dateTime: '2026-10-26T10:00:00.0000000', timeZone: 'Central European Standard Time' });
    const londonUtc = await graph(token, eventPath(london.body['id']));
    expect(londonUtc.body['start']).toEqual({ dateTime: '2026-10-26T09:00:00.0000000', timeZone: 'UTC' });
    const summer = await post(token, '/me/events', {
      subject: 'London summer',
      start: { dateTime: '2026-07-02T09:00:00', timeZone: 'GMT Standard Time' },
      end: { dateTime: '2026-07-02T10:00:00', timeZone: 'GMT Standard Time' },
    });
    expect(summer.body['start']).toEqual({ dateTime: '2026-07-02T08:00:00.0000000', timeZone: 'UTC' });
  });

  it('refuses unknown zones in the body and in Prefer with TimeZoneNotSupportedException', async () => {
    const token = await connect('bad-zones@sandbox.test');
    const bad = await post(token, '/me/events', {
      subject: 'x',
      start: { dateTime: '2026-07-01T09:00:00', timeZone: 'Mars/Olympus_Mons' },
      end: { dateTime: '2026-07-01T10:00:00', timeZone: 'UTC' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'TimeZoneNotSupportedException',
      message: "A valid TimeZone value must be specified. The following TimeZone value is not supported: 'Mars/Olympus_Mons'.",
    });
    const badPrefer = await post(token, '/me/events', utcEvent('x', '2026-07-01T09:00:00', '2026-07-01T10:00:00'), {
      prefer: 'outlook.timezone="Nowhere Standard Time"',
    });
    expect(badPrefer.status).toBe(400);
    expect(badPrefer.body.error?.code).toBe('TimeZoneNotSupportedException');
    expect(await sandbox.control.listEvents('bad-zones@sandbox.test')).toEqual([]);
  });
});

describe('extended properties', () => {
  it('stores them on create and patch, and finds events with the $filter/$expand Graph shape', async () => {
    const token = await connect('props@sandbox.test');
    const otherId = 'String {00020329-0000-0000-c000-000000000046} Name other';
    const tagged = (value: string, extra: Array<{ id: string; value: string }> = []): Partial<GraphEventInput> => ({
      singleValueExtendedProperties: [{ id: PROPERTY_ID, value }, ...extra],
    });
    const a = await post(
      token,
      '/me/events',
      utcEvent('A', '2026-10-01T09:00:00', '2026-10-01T10:00:00', tagged('booking-1', [{ id: otherId, value: 'x' }])),
    );
    const b = await post(token, '/me/events', utcEvent('B', '2026-10-02T09:00:00', '2026-10-02T10:00:00', tagged("it's booking-2")));
    await post(token, '/me/events', utcEvent('C', '2026-10-03T09:00:00', '2026-10-03T10:00:00'));
    expect(a.body).not.toHaveProperty('singleValueExtendedProperties');

    const lookup = (value: string): Promise<GraphResult> => {
      const quoted = value.replace(/'/g, "''");
      const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${PROPERTY_ID}' and ep/value eq '${quoted}')`;
      const expand = `singleValueExtendedProperties($filter=id eq '${PROPERTY_ID}')`;
      return graph(token, `/me/events?$filter=${encodeURIComponent(filter)}&$expand=${encodeURIComponent(expand)}`);
    };
    const found = await lookup('booking-1');
    expect(found.status).toBe(200);
    expect(values(found)).toHaveLength(1);
    expect(values(found)[0]).toMatchObject({
      id: a.body['id'],
      subject: 'A',
      singleValueExtendedProperties: [{ id: PROPERTY_ID, value: 'booking-1' }],
    });
    expect(ids(await lookup("it's booking-2"))).toEqual([b.body['id']]);
    expect(values(await lookup('booking-3'))).toEqual([]);

    // Without $expand the properties stay hidden; a bare $expand shows them all.
    const plain = await graph(token, eventPath(a.body['id']));
    expect(plain.body).not.toHaveProperty('singleValueExtendedProperties');
    const all = await graph(token, `${eventPath(a.body['id'])}?$expand=singleValueExtendedProperties`);
    expect(all.body['singleValueExtendedProperties']).toEqual([
      { id: PROPERTY_ID, value: 'booking-1' },
      { id: otherId, value: 'x' },
    ]);

    // Id matching ignores the case of the type and GUID; PATCH replaces by id.
    const shouted = 'string {66F5A359-4659-4830-9070-00047EC6AC6E} Name bookingKey';
    const moved = await patch(token, eventPath(a.body['id']), { singleValueExtendedProperties: [{ id: shouted, value: 'booking-9' }] });
    expect(moved.status).toBe(200);
    expect(values(await lookup('booking-1'))).toEqual([]);
    expect(ids(await lookup('booking-9'))).toEqual([a.body['id']]);
    const listed = (await sandbox.control.listEvents('props@sandbox.test')).find((event) => event.id === a.body['id']);
    expect(listed?.singleValueExtendedProperties).toEqual([
      { id: PROPERTY_ID, value: 'booking-9' },
      { id: otherId, value: 'x' },
    ]);

    const unsupported = await graph(token, `/me/events?$filter=${encodeURIComponent("subject eq 'A'")}`);
    expect(unsupported.status).toBe(400);
  });
});

describe('calendarView', () => {
  it('returns the events overlapping the window, in start order, from the addressed calendar', async () => {
    const token = await connect('view@sandbox.test');
    const second = await sandbox.control.createCalendar('view@sandbox.test', { name: 'Second' });
    const a = await post(token, '/me/events', utcEvent('A 09-10', '2026-10-01T09:00:00', '2026-10-01T10:00:00'));
    const c = await post(token, '/me/events', utcEvent('C 11-12', '2026-10-01T11:00:00', '2026-10-01T12:00:00'));
    const b = await post(token, '/me/events', utcEvent('B 10-11', '2026-10-01T10:00:00', '2026-10-01T11:00:00'));
    const long = await post(token, '/me/events', utcEvent('All morning', '2026-10-01T06:00:00', '2026-10-01T13:00:00'));
    const secondPath = `/me/calendars/${encodeURIComponent(second.id)}`;
    const elsewhere = await post(token, `${secondPath}/events`, utcEvent('Other calendar', '2026-10-01T10:00:00', '2026-10-01T11:00:00'));
    expect(elsewhere.status).toBe(201);

    const view = (start: string, end: string, base = '/me'): Promise<GraphResult> =>
      graph(token, `${base}/calendarView?startDateTime=${start}&endDateTime=${end}`);
    const exact = await view('2026-10-01T10:00:00Z', '2026-10-01T11:00:00Z');
    expect(exact.status).toBe(200);
    expect(exact.body['@odata.context']).toMatch(/\/calendarView$/);
    expect(ids(exact)).toEqual([long.body['id'], b.body['id']]);
    expect(ids(await view('2026-10-01T09:30:00', '2026-10-01T10:30:00'))).toEqual([long.body['id'], a.body['id'], b.body['id']]);
    expect(ids(await view('2026-10-01T11:30:00.0000000', '2026-10-01T15:00:00.0000000'))).toEqual([long.body['id'], c.body['id']]);
    // An offset in the window is honoured: 12:00+02:00 is 10:00 UTC.
    expect(ids(await view('2026-10-01T12:00:00%2B02:00', '2026-10-01T13:00:00%2B02:00'))).toEqual([long.body['id'], b.body['id']]);
    expect(ids(await view('2026-10-01T10:00:00Z', '2026-10-01T11:00:00Z', secondPath))).toEqual([elsewhere.body['id']]);

    const paged = await graph(token, '/me/calendarView?startDateTime=2026-10-01T00:00:00Z&endDateTime=2026-10-02T00:00:00Z&$top=3');
    expect(ids(paged)).toEqual([long.body['id'], a.body['id'], b.body['id']]);
    const rest = await graph(token, String(paged.body['@odata.nextLink']));
    expect(ids(rest)).toEqual([c.body['id']]);

    const missing = await graph(token, '/me/calendarView?startDateTime=2026-10-01T00:00:00Z');
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      code: 'ErrorInvalidParameter',
      message: 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    });
    expect((await graph(token, '/me/calendarView')).status).toBe(400);
  });
});

describe('calendarView/delta', () => {
  it('pages with odata.maxpagesize, then reports changes and removals through the deltaLink', async () => {
    const email = 'delta@sandbox.test';
    const token = await connect(email);
    const window = 'startDateTime=2026-10-01T00:00:00Z&endDateTime=2026-10-08T00:00:00Z';
    const keep = await post(token, '/me/events', utcEvent('Keep', '2026-10-01T09:00:00', '2026-10-01T10:00:00'));
    const change = await post(token, '/me/events', utcEvent('Change', '2026-10-02T09:00:00', '2026-10-02T10:00:00'));
    const remove = await post(token, '/me/events', utcEvent('Remove', '2026-10-03T09:00:00', '2026-10-03T10:00:00'));
    const leave = await post(token, '/me/events', utcEvent('Leave', '2026-10-04T09:00:00', '2026-10-04T10:00:00'));
    await post(token, '/me/events', utcEvent('Outside', '2026-11-01T09:00:00', '2026-11-01T10:00:00'));
    const pageSize = { prefer: 'odata.maxpagesize=3' };

    const page1 = await graph(token, `/me/calendarView/delta?${window}`, { headers: pageSize });
    expect(page1.status).toBe(200);
    expect(page1.headers.get('preference-applied')).toBe('odata.maxpagesize=3');
    expect(page1.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#Collection(event)');
    expect(ids(page1)).toEqual([keep.body['id'], change.body['id'], remove.body['id']]);
    expect(page1.body).not.toHaveProperty('@odata.deltaLink');
    const nextLink = String(page1.body['@odata.nextLink']);
    expect(nextLink).toMatch(new RegExp(`^${sandbox.url}/v1\\.0/me/calendarView/delta\\?\\$skiptoken=[A-Za-z0-9_-]+$`));

    const page2 = await graph(token, nextLink, { headers: pageSize });
    expect(ids(page2)).toEqual([leave.body['id']]);
    expect(page2.body).not.toHaveProperty('@odata.nextLink');
    const deltaLink = String(page2.body['@odata.deltaLink']);
    expect(deltaLink).toMatch(new RegExp(`^${sandbox.url}/v1\\.0/me/calendarView/delta\\?\\$deltatoken=[A-Za-z0-9_-]+$`));

    // Nothing happened yet: an empty round.
    const quiet = await graph(token, deltaLink);
    expect(values(quiet)).toEqual([]);
    expect(quiet.body['@odata.deltaLink']).toBeTypeOf('string');

    await patch(token, eventPath(change.body['id']), { subject: 'Changed' });
    expect((await del(token, eventPath(remove.body['id']))).status).toBe(204);
    await patch(token, eventPath(leave.body['id']), {
      start: { dateTime: '2026-12-01T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' },
    });
    const added = await sandbox.control.createUserEvent(email, utcEvent('Added by the user', '2026-10-05T09:00:00', '2026-10-05T10:00:00'));
    await post(token, '/me/events', utcEvent('Outside too', '2026-11-02T09:00:00', '2026-11-02T10:00:00'));

    const changes = await graph(token, deltaLink, { headers: { prefer: 'outlook.timezone="Pacific Standard Time"' } });
    expect(changes.status).toBe(200);
    expect(values(changes)).toEqual([
      expect.objectContaining({
        id: change.body['id'],
        subject: 'Changed',
        start: { dateTime: '2026-10-02T02:00:00.0000000', timeZone: 'Pacific Standard Time' },
      }),
      expect.objectContaining({ id: added.id, subject: 'Added by the user' }),
      { '@odata.type': '#microsoft.graph.event', id: remove.body['id'], '@removed': { reason: 'deleted' } },
      { '@odata.type': '#microsoft.graph.event', id: leave.body['id'], '@removed': { reason: 'deleted' } },
    ]);
    // The deleted event is gone for GET even though delta reports it.
    expectItemNotFound(await graph(token, eventPath(remove.body['id'])));

    const next = await graph(token, String(changes.body['@odata.deltaLink']));
    expect(values(next)).toEqual([]);
    // The old deltaLink still answers (tokens are reusable until invalidated).
    expect(values(await graph(token, deltaLink))).toHaveLength(4);
  });

  it('answers unknown and invalidated tokens with 410 SyncStateNotFound', async () => {
    const email = 'delta-gone@sandbox.test';
    const token = await connect(email);
    const other = await connect('delta-untouched@sandbox.test');
    const window = 'startDateTime=2026-10-01T00:00:00Z&endDateTime=2026-10-08T00:00:00Z';
    await post(token, '/me/events', utcEvent('One', '2026-10-01T09:00:00', '2026-10-01T10:00:00'));
    await post(token, '/me/events', utcEvent('Two', '2026-10-02T09:00:00', '2026-10-02T10:00:00'));
    const first = await graph(token, `/me/calendarView/delta?${window}`, { headers: { prefer: 'odata.maxpagesize=1' } });
    const skipLink = String(first.body['@odata.nextLink']);
    const full = await graph(token, `/me/calendarView/delta?${window}`);
    const deltaLink = String(full.body['@odata.deltaLink']);
    const otherDelta = String((await graph(other, `/me/calendarView/delta?${window}`)).body['@odata.deltaLink']);
    expect((await graph(token, deltaLink)).status).toBe(200);

    const unknown = await graph(token, '/me/calendarView/delta?$deltatoken=not-a-token');
    expect(unknown.status).toBe(410);
    expect(unknown.body.error?.code).toBe('SyncStateNotFound');
    // Another mailbox's token means nothing here.
    expect((await graph(token, otherDelta)).status).toBe(410);

    await sandbox.control.invalidateDeltaTokens(email);
    const gone = await graph(token, deltaLink);
    expect(gone.status).toBe(410);
    expect(gone.body.error).toMatchObject({ code: 'SyncStateNotFound' });
    expect((await graph(token, skipLink)).status).toBe(410);
    expect((await graph(other, otherDelta)).status).toBe(200);
    // A full resync starts over.
    const resync = await graph(token, `/me/calendarView/delta?${window}`);
    expect(values(resync)).toHaveLength(2);
    expect((await graph(token, '/me/calendarView/delta')).status).toBe(400);
  });
});

describe('throttling and faults on calendar routes', () => {
  it('answers the 5th concurrent request of a mailbox with 429 ApplicationThrottled (MailboxConcurrency)', async () => {
    const email = 'concurrent@sandbox.test';
    const token = await connect(email);
    const calm = await connect('calm-mailbox@sandbox.test');
    await sandbox.control.addFault({ path: '/v1.0/me/events', account: email, latencyMs: 1500, times: 4 });
    const held = [1, 2, 3, 4].map(() => graph(token, '/me/events'));
    // The four have taken their slots once all four have reached the latency fault.
    for (let i = 0; i < 100; i += 1) {
      const [rule] = await sandbox.control.listFaults();
      if (rule?.hits === 4) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await sandbox.control.listFaults())[0]?.hits).toBe(4);

    const fifth = await graph(token, '/me/calendars');
    expect(fifth.status).toBe(429);
    expect(fifth.body.error).toMatchObject({ code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' });
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another mailbox and the user's directory object are not affected.
    expect((await graph(calm, '/me/events')).status).toBe(200);
    expect((await graph(token, '/me')).status).toBe(200);

    const results = await Promise.all(held);
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200]);
    expect((await graph(token, '/me/events')).status).toBe(200);
    const stats = await sandbox.control.stats();
    expect(stats.byAccount[email]?.concurrencyRejected).toBe(1);
    expect(stats.byAccount['calm-mailbox@sandbox.test']?.concurrencyRejected).toBe(0);

    // Requests whose connection was reset or whose answer was dropped give their slot back.
    await sandbox.control.configure({ mailboxConcurrentRequests: 1 });
    await sandbox.control.addFault({ path: '/v1.0/me/events', resetConnection: true });
    await expect(graph(token, '/me/events')).rejects.toThrow();
    await sandbox.control.addFault({ path: '/v1.0/me/events', dropResponse: true });
    await expect(graph(token, '/me/events')).rejects.toThrow();
    expect((await graph(token, '/me/events')).status).toBe(200);
    expect((await sandbox.control.stats()).byAccount[email]?.concurrencyRejected).toBe(1);
  });

  it('counts calendar requests in the 10-minute window and applies faults to them', async () => {
    const email = 'window@sandbox.test';
    const token = await connect(email);
    await sandbox.control.configure({ mailboxRequestsPer10Minutes: 2 });
    expect((await graph(token, '/me/events')).status).toBe(200);
    expect((await graph(token, '/me/calendar')).status).toBe(200);
    const limited = await graph(token, '/me/calendarView?startDateTime=2026-10-01T00:00:00Z&endDateTime=2026-10-02T00:00:00Z');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await sandbox.control.stats()).byAccount[email]?.throttled).toBe(1);
    await sandbox.control.configure({ mailboxRequestsPer10Minutes: 0 });

    await sandbox.control.addFault({ method: 'POST', path: '/me/events', status: 503 });
    const unavailable = await post(token, '/me/events', utcEvent('x', '2026-10-01T09:00:00', '2026-10-01T10:00:00'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error?.code).toBe('ServiceNotAvailable');
    expect(await sandbox.control.listEvents(email)).toEqual([]);

    await sandbox.control.addFault({ method: 'POST', path: '/me/events', dropResponse: true });
    await expect(post(token, '/me/events', utcEvent('Lost reply', '2026-10-01T09:00:00', '2026-10-01T10:00:00'))).rejects.toThrow();
    expect((await sandbox.control.listEvents(email)).map((event) => event.subject)).toEqual(['Lost reply']);
  });
});

describe('read-only calendars', () => {
  it('refuses Graph writes with 403 ErrorAccessDenied but lets the owner write through control', async () => {
    const email = 'readonly@sandbox.test';
    const token = await connect(email);
    const shared = await sandbox.control.createCalendar(email, { name: 'Shared with me', canEdit: false });
    const calendarPath = `/me/calendars/${encodeURIComponent(shared.id)}`;
    const refused = await post(token, `${calendarPath}/events`, utcEvent('Mine?', '2026-10-01T09:00:00', '2026-10-01T10:00:00'));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
    expect(await sandbox.control.listEvents(email, { calendarId: shared.id })).toEqual([]);

    const ownerEvent = await sandbox.control.createUserEvent(email, utcEvent('Owner’s', '2026-10-01T09:00:00', '2026-10-01T10:00:00'), {
      calendarId: shared.id,
    });
    const read = await graph(token, `${calendarPath}/events`);
    expect(ids(read)).toEqual([ownerEvent.id]);
    expect((await graph(token, eventPath(ownerEvent.id))).status).toBe(200);
    expect((await patch(token, eventPath(ownerEvent.id), { subject: 'Hijacked' })).status).toBe(403);
    expect((await del(token, eventPath(ownerEvent.id))).status).toBe(403);
    expect((await sandbox.control.listEvents(email, { calendarId: shared.id }))[0]?.subject).toBe('Owner’s');
    // Not in the default calendar's collections.
    expect(values(await graph(token, '/me/events'))).toEqual([]);
    expectItemNotFound(await graph(token, `/me/calendar/events/${encodeURIComponent(ownerEvent.id)}`));
  });
});

describe('control API for events', () => {
  it('creates, lists (UTC, with extended properties), updates and deletes events as the user', async () => {
    const email = 'control-events@sandbox.test';
    const token = await connect(email);
    const created = await sandbox.control.createUserEvent(email, {
      subject: 'Dentist',
      start: { dateTime: '2026-10-01T09:00:00', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-10-01T10:00:00', timeZone: 'Pacific Standard Time' },
      singleValueExtendedProperties: [{ id: PROPERTY_ID, value: 'user' }],
    });
    expect(created.id).toMatch(OUTLOOK_ID);
    const listed: GraphEvent[] = await sandbox.control.listEvents(email);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: created.id,
      start: { dateTime: '2026-10-01T16:00:00.0000000', timeZone: 'UTC' },
      singleValueExtendedProperties: [{ id: PROPERTY_ID, value: 'user' }],
    });
    expect(listed[0]?.start.dateTime).toMatch(GRAPH_DATE_TIME);

    const updated = await sandbox.control.updateUserEvent(email, created.id, { subject: 'Dentist (moved)' });
    expect(updated.subject).toBe('Dentist (moved)');
    expect(updated.changeKey).not.toBe(created.changeKey);
    expect((await graph(token, eventPath(created.id))).body['subject']).toBe('Dentist (moved)');

    await sandbox.control.deleteUserEvent(email, created.id);
    expectItemNotFound(await graph(token, eventPath(created.id)));
    await expect(sandbox.control.deleteUserEvent(email, created.id)).rejects.toMatchObject({ status: 404 });
    await expect(sandbox.control.listEvents(email, { calendarId: 'nope' })).rejects.toMatchObject({ status: 404 });
    await expect(
      sandbox.control.createUserEvent(email, {
        subject: 'x',
        start: { dateTime: 'soon', timeZone: 'UTC' },
        end: { dateTime: 'later', timeZone: 'UTC' },
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(sandbox.control.createCalendar(email, { name: '' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('@microsoft/microsoft-graph-client against the calendar routes', () => {
  /** The default auth middleware only sends tokens to https Graph hosts, so bring our own. */
  class BearerMiddleware implements Middleware {
    private next: Middleware | undefined;

    constructor(private readonly token: string) {}

    async execute(context: Context): Promise<void> {
      const options = (context.options ??= {});
      const headers = new Headers(options.headers);
      headers.set('Authorization', `Bearer ${this.token}`);
      options.headers = headers;
      if (!this.next) throw new Error('BearerMiddleware must not be last in the chain');
      await this.next.execute(context);
    }

    setNext(next: Middleware): void {
      this.next = next;
    }
  }

  // Client.init takes only an authProvider (the default chain); a custom chain goes through
  // initWithMiddleware, which Client.init itself delegates to.
  function graphClient(token: string): Client {
    return Client.initWithMiddleware({
      baseUrl: `${sandbox.url}/v1.0`,
      defaultVersion: '',
      middleware: [new BearerMiddleware(token), new RetryHandler(new RetryHandlerOptions(1, 2)), new HTTPMessageHandler()],
    });
  }

  it('creates an event (with transactionId, retried POST de-duplicated) and reads it back', async () => {
    const token = await connect('sdk-events@sandbox.test');
    const client = graphClient(token);
    const input = {
      subject: 'SDK booking',
      start: { dateTime: '2026-10-25T09:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-10-25T10:00:00', timeZone: 'W. Europe Standard Time' },
      transactionId: 'sdk-booking-1',
      singleValueExtendedProperties: [{ id: PROPERTY_ID, value: 'sdk-booking-1' }],
    };
    const created = (await client.api('/me/events').header('Prefer', 'IdType="ImmutableId"').post(input)) as GraphEvent;
    expect(created.id).toMatch(OUTLOOK_ID);
    expect(created.start).toEqual({ dateTime: '2026-10-25T08:00:00.0000000', timeZone: 'UTC' });

    // The same POST again, answered 503 once and retried by the SDK's RetryHandler: the
    // transactionId makes it return the first event instead of creating a second.
    await sandbox.control.addFault({ method: 'POST', path: '/me/events', status: 503, retryAfterSeconds: 0 });
    const retried = (await client.api('/me/events').post(input)) as GraphEvent;
    expect(retried.id).toBe(created.id);
    expect(await sandbox.control.listEvents('sdk-events@sandbox.test')).toHaveLength(1);

    const read = (await client
      .api(`/me/events/${created.id}`)
      .header('Prefer', 'outlook.timezone="W. Europe Standard Time"')
      .expand(`singleValueExtendedProperties($filter=id eq '${PROPERTY_ID}')`)
      .get()) as GraphEvent;
    expect(read).toMatchObject({
      id: created.id,
      subject: 'SDK booking',
      start: { dateTime: '2026-10-25T09:00:00.0000000', timeZone: 'W. Europe Standard Time' },
      singleValueExtendedProperties: [{ id: PROPERTY_ID, value: 'sdk-booking-1' }],
    });

    const found = (await client
      .api('/me/events')
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${PROPERTY_ID}' and ep/value eq 'sdk-booking-1')`)
      .get()) as { value: GraphEvent[] };
    expect(found.value.map((event) => event.id)).toEqual([created.id]);

    await client.api(`/me/events/${created.id}`).delete();
    const error: unknown = await client
      .api(`/me/events/${created.id}`)
      .get()
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ statusCode: 404, code: 'ErrorItemNotFound' });
  });
});
