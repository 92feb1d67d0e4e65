import { describe, expect, it } from 'vitest';
import { type GraphEventInput, type GraphPatternedRecurrenceInput } from '../src/microsoft';
import { connect as connectTo, eventPath, graph as graphAt, useMicrosoftSandbox, values, type GraphResult } from './microsoft-test-client';

// Recurring events in the Microsoft sandbox: series masters in event lists, their
// occurrences in calendarView (also per calendar), calendarView/delta and /instances,
// expansion bounded by the window, wall-clock times that survive DST changes, and single
// occurrences changed (exceptions) or deleted.

const OUTLOOK_ID = /^AAMkA[A-Za-z0-9_-]{100,}=*$/;

const sandbox = useMicrosoftSandbox();

const connect = (email: string): Promise<string> => connectTo(sandbox.url, email);
const graph = (token: string, path: string, options?: Parameters<typeof graphAt>[3]): Promise<GraphResult> =>
  graphAt(sandbox.url, token, path, options);
const post = (token: string, path: string, body: unknown): Promise<GraphResult> => graph(token, path, { method: 'POST', body });

function series(
  subject: string,
  start: string,
  end: string,
  timeZone: string,
  recurrence: GraphPatternedRecurrenceInput,
  extra: Partial<GraphEventInput> = {},
): GraphEventInput {
  return { subject, start: { dateTime: start, timeZone }, end: { dateTime: end, timeZone }, recurrence, ...extra };
}

function view(token: string, start: string, end: string, options: { base?: string; zone?: string } = {}): Promise<GraphResult> {
  const headers = options.zone ? { prefer: `outlook.timezone="${options.zone}"` } : undefined;
  return graph(
    token,
    `${options.base ?? '/me'}/calendarView?startDateTime=${start}&endDateTime=${end}&$top=100`,
    headers ? { headers } : {},
  );
}

function starts(result: GraphResult): string[] {
  return values(result).map((event) => (event['start'] as { dateTime: string }).dateTime);
}

describe('series masters', () => {
  it('creates a series master with the full recurrence shape and lists masters, not occurrences, in /me/events', async () => {
    const token = await connect('series@sandbox.test');
    const created = await post(
      token,
      '/me/events',
      series('Weekly 1:1', '2026-10-05T10:00:00', '2026-10-05T10:30:00', 'Pacific Standard Time', {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['Monday', 'wednesday'] },
        range: { type: 'numbered', startDate: '2026-10-05', numberOfOccurrences: 5 },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      type: 'seriesMaster',
      seriesMasterId: null,
      start: { dateTime: '2026-10-05T17:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-10-05T17:30:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: 'Pacific Standard Time',
      recurrence: {
        pattern: {
          type: 'weekly',
          interval: 1,
          month: 0,
          dayOfMonth: 0,
          daysOfWeek: ['monday', 'wednesday'],
          firstDayOfWeek: 'sunday',
          index: 'first',
        },
        range: {
          type: 'numbered',
          startDate: '2026-10-05',
          endDate: '0001-01-01',
          recurrenceTimeZone: 'Pacific Standard Time',
          numberOfOccurrences: 5,
        },
      },
    });
    expect(created.body).not.toHaveProperty('originalStart');
    await post(token, '/me/events', {
      subject: 'One-off',
      start: { dateTime: '2026-10-06T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-10-06T10:00:00', timeZone: 'UTC' },
    });

    const list = await graph(token, '/me/events');
    expect(values(list).map((event) => [event['subject'], event['type']])).toEqual([
      ['Weekly 1:1', 'seriesMaster'],
      ['One-off', 'singleInstance'],
    ]);
    const selected = await graph(token, `${eventPath(created.body['id'])}?$select=recurrence,type`);
    expect(selected.body['recurrence']).toEqual(created.body['recurrence']);

    // The user's own recurring events (control API) are series masters too.
    const mine = await sandbox.control.createUserEvent('series@sandbox.test', {
      subject: 'Gym',
      start: { dateTime: '2026-10-03T07:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-10-03T08:00:00', timeZone: 'UTC' },
      recurrence: { pattern: { type: 'daily', interval: 2 }, range: { type: 'noEnd', startDate: '2026-10-03' } },
    });
    expect(mine).toMatchObject({
      type: 'seriesMaster',
      recurrence: { range: { type: 'noEnd', endDate: '0001-01-01', recurrenceTimeZone: 'UTC' } },
    });
    expect((await sandbox.control.listEvents('series@sandbox.test')).map((event) => event.type)).toEqual([
      'seriesMaster',
      'singleInstance',
      'seriesMaster',
    ]);
  });

  it('validates recurrences like Graph', async () => {
    const token = await connect('invalid-series@sandbox.test');
    const attempt = (recurrence: unknown): Promise<GraphResult> =>
      post(token, '/me/events', {
        subject: 'Bad',
        start: { dateTime: '2026-10-05T10:00:00', timeZone: 'UTC' },
        end: { dateTime: '2026-10-05T11:00:00', timeZone: 'UTC' },
        recurrence,
      });
    const weeklyWithoutDays = await attempt({
      pattern: { type: 'weekly', interval: 1 },
      range: { type: 'noEnd', startDate: '2026-10-05' },
    });
    expect(weeklyWithoutDays.status).toBe(400);
    expect(weeklyWithoutDays.body.error).toMatchObject({ code: 'ErrorInvalidRequest', message: expect.stringContaining('daysOfWeek') });
    const unknownProperty = await attempt({
      pattern: { type: 'daily', interval: 1, every: 2 },
      range: { type: 'noEnd', startDate: '2026-10-05' },
    });
    expect(unknownProperty.body.error).toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining("The property 'every' does not exist on type 'microsoft.graph.recurrencePattern'"),
    });
    const badType = await attempt({ pattern: { type: 'hourly', interval: 1 }, range: { type: 'noEnd', startDate: '2026-10-05' } });
    expect(badType.body.error).toMatchObject({ code: 'BadRequest', message: "Invalid value for property 'type'." });
    const zeroInterval = await attempt({ pattern: { type: 'daily', interval: 0 }, range: { type: 'noEnd', startDate: '2026-10-05' } });
    expect(zeroInterval.status).toBe(400);
    const endBeforeStart = await attempt({
      pattern: { type: 'daily', interval: 1 },
      range: { type: 'endDate', startDate: '2026-10-05', endDate: '2026-10-01' },
    });
    expect(endBeforeStart.body.error?.code).toBe('ErrorInvalidRequest');
    const numberedWithoutCount = await attempt({
      pattern: { type: 'daily', interval: 1 },
      range: { type: 'numbered', startDate: '2026-10-05' },
    });
    expect(numberedWithoutCount.body.error?.code).toBe('ErrorInvalidRequest');
    // Sundays only, between a Monday and the Saturday after it: no occurrence at all.
    const empty = await attempt({
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['sunday'] },
      range: { type: 'endDate', startDate: '2026-10-05', endDate: '2026-10-10' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error?.code).toBe('ErrorRecurrenceHasNoOccurrence');
    const badZone = await attempt({
      pattern: { type: 'daily', interval: 1 },
      range: { type: 'noEnd', startDate: '2026-10-05', recurrenceTimeZone: 'Mars/Olympus_Mons' },
    });
    expect(badZone.body.error?.code).toBe('TimeZoneNotSupportedException');
    expect(await sandbox.control.listEvents('invalid-series@sandbox.test')).toEqual([]);
  });
});

describe('calendarView of recurring events', () => {
  it('returns the occurrences inside the window (not the master), each with its own id, in start order with other events', async () => {
    const token = await connect('occurrences@sandbox.test');
    const master = await post(
      token,
      '/me/events',
      series('Weekly 1:1', '2026-10-05T10:00:00', '2026-10-05T10:30:00', 'Pacific Standard Time', {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'] },
        range: { type: 'numbered', startDate: '2026-10-05', numberOfOccurrences: 5 },
      }),
    );
    const single = await post(token, '/me/events', {
      subject: 'One-off',
      start: { dateTime: '2026-10-06T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-10-06T10:00:00', timeZone: 'UTC' },
    });
    const masterId = String(master.body['id']);

    const october = await view(token, '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z');
    expect(october.status).toBe(200);
    expect(values(october).map((event) => [event['subject'], event['type']])).toEqual([
      ['Weekly 1:1', 'occurrence'],
      ['One-off', 'singleInstance'],
      ['Weekly 1:1', 'occurrence'],
      ['Weekly 1:1', 'occurrence'],
      ['Weekly 1:1', 'occurrence'],
      ['Weekly 1:1', 'occurrence'],
    ]);
    const occurrences = values(october).filter((event) => event['type'] === 'occurrence');
    expect(occurrences.map((event) => event['start'])).toEqual(
      ['2026-10-05', '2026-10-07', '2026-10-12', '2026-10-14', '2026-10-19'].map((date) => ({
        dateTime: `${date}T17:00:00.0000000`,
        timeZone: 'UTC',
      })),
    );
    const ids = occurrences.map((event) => String(event['id']));
    expect(new Set([...ids, masterId, String(single.body['id'])]).size).toBe(7);
    const iCalUIds = occurrences.map((event) => String(event['iCalUId']));
    expect(new Set(iCalUIds).size).toBe(5);
    for (const [i, occurrence] of occurrences.entries()) {
      expect(occurrence['id']).toMatch(OUTLOOK_ID);
      expect(occurrence).toMatchObject({
        seriesMasterId: masterId,
        recurrence: null,
        '@odata.etag': master.body['@odata.etag'],
        originalStartTimeZone: 'Pacific Standard Time',
        end: { dateTime: `${['2026-10-05', '2026-10-07', '2026-10-12', '2026-10-14', '2026-10-19'][i]}T17:30:00.0000000`, timeZone: 'UTC' },
      });
      expect(occurrence['originalStart']).toBe(`${(occurrence['start'] as { dateTime: string }).dateTime.slice(0, 19)}Z`);
    }
    // Outlook stamps the occurrence date (2026-10-07 = 07EA0A07) into the master's iCalUId.
    expect(iCalUIds[1]).toBe(`${String(master.body['iCalUId']).slice(0, 32)}07EA0A07${String(master.body['iCalUId']).slice(40)}`);

    // The same occurrence has the same id on every request; a narrower window has fewer.
    const narrow = await view(token, '2026-10-13T00:00:00Z', '2026-10-20T00:00:00Z');
    expect(values(narrow).map((event) => event['id'])).toEqual([ids[3], ids[4]]);
    // In the zone the caller prefers, and readable one by one.
    const pacific = await view(token, '2026-10-13T00:00:00Z', '2026-10-15T00:00:00Z', { zone: 'Pacific Standard Time' });
    expect(starts(pacific)).toEqual(['2026-10-14T10:00:00.0000000']);
    const one = await graph(token, eventPath(ids[2]));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: ids[2],
      type: 'occurrence',
      seriesMasterId: masterId,
      start: { dateTime: '2026-10-12T17:00:00.0000000' },
    });

    const selected = await graph(token, `${eventPath(ids[2])}?$select=originalStart,type`);
    expect(selected.body).toEqual({
      '@odata.context': expect.stringMatching(/\/events\(originalStart,type\)\/\$entity$/),
      '@odata.etag': master.body['@odata.etag'],
      id: ids[2],
      originalStart: '2026-10-12T17:00:00Z',
      type: 'occurrence',
    });
    // An id that names no occurrence of the series (another time, or none at all) is not found.
    const bytes = Buffer.from(String(ids[2]).replace(/-/g, '/').replace(/_/g, '+'), 'base64');
    const forge = (ms: bigint): string => {
      const copy = Buffer.from(bytes);
      copy.writeBigInt64BE(ms, copy.length - 8);
      return copy.toString('base64').replace(/\//g, '-').replace(/\+/g, '_');
    };
    expect((await graph(token, eventPath(forge(BigInt(Date.parse('2026-10-12T18:00:00Z')))))).status).toBe(404);
    expect((await graph(token, eventPath(forge(2n ** 62n)))).status).toBe(404);

    const instances = await graph(
      token,
      `${eventPath(masterId)}/instances?startDateTime=2026-10-06T00:00:00Z&endDateTime=2026-10-13T00:00:00Z`,
    );
    expect(instances.status).toBe(200);
    expect(instances.body['@odata.context']).toMatch(/\/events\('[^']+'\)\/instances$/);
    expect(values(instances).map((event) => event['id'])).toEqual([ids[1], ids[2]]);
    expect((await graph(token, `${eventPath(masterId)}/instances`)).status).toBe(400);
  });

  it('keeps the wall-clock time across DST changes: the instant moves', async () => {
    const token = await connect('dst@sandbox.test');
    // Europe leaves summer time on Sunday 25 October 2026.
    await post(
      token,
      '/me/events',
      series('Standup', '2026-10-19T09:00:00', '2026-10-19T09:15:00', 'W. Europe Standard Time', {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
        range: { type: 'noEnd', startDate: '2026-10-19' },
      }),
    );
    const utc = await view(token, '2026-10-18T00:00:00Z', '2026-11-03T00:00:00Z');
    expect(starts(utc)).toEqual(['2026-10-19T07:00:00.0000000', '2026-10-26T08:00:00.0000000', '2026-11-02T08:00:00.0000000']);
    const berlin = await view(token, '2026-10-18T00:00:00Z', '2026-11-03T00:00:00Z', { zone: 'W. Europe Standard Time' });
    expect(starts(berlin)).toEqual(['2026-10-19T09:00:00.0000000', '2026-10-26T09:00:00.0000000', '2026-11-02T09:00:00.0000000']);
    expect(values(berlin).map((event) => (event['end'] as { dateTime: string }).dateTime)).toEqual([
      '2026-10-19T09:15:00.0000000',
      '2026-10-26T09:15:00.0000000',
      '2026-11-02T09:15:00.0000000',
    ]);

    // The United States start summer time on Sunday 8 March 2026.
    await post(
      token,
      '/me/events',
      series('Daily check-in', '2026-03-06T09:00:00', '2026-03-06T09:30:00', 'America/New_York', {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'numbered', startDate: '2026-03-06', numberOfOccurrences: 4 },
      }),
    );
    const march = await view(token, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(starts(march)).toEqual([
      '2026-03-06T14:00:00.0000000',
      '2026-03-07T14:00:00.0000000',
      '2026-03-08T13:00:00.0000000',
      '2026-03-09T13:00:00.0000000',
    ]);
    const newYork = await view(token, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', { zone: 'Eastern Standard Time' });
    expect(new Set(starts(newYork).map((start) => start.slice(11)))).toEqual(new Set(['09:00:00.0000000']));
  });

  it('expands monthly patterns: the 31st falls on the last day of shorter months; a late start begins next month', async () => {
    const token = await connect('monthly@sandbox.test');
    await post(
      token,
      '/me/events',
      series('Month end', '2027-01-31T10:00:00', '2027-01-31T11:00:00', 'UTC', {
        pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 },
        range: { type: 'endDate', startDate: '2027-01-31', endDate: '2027-05-31' },
      }),
    );
    const first = await view(token, '2027-01-01T00:00:00Z', '2027-08-01T00:00:00Z');
    expect(starts(first)).toEqual([
      '2027-01-31T10:00:00.0000000',
      '2027-02-28T10:00:00.0000000',
      '2027-03-31T10:00:00.0000000',
      '2027-04-30T10:00:00.0000000',
      '2027-05-31T10:00:00.0000000',
    ]);

    await sandbox.control.reset();
    const token2 = await connect('monthly@sandbox.test');
    // The 5th of every other month, from 10 October: October's 5th has passed, so November, January, March…
    const late = await post(
      token2,
      '/me/events',
      series('Bimonthly', '2026-10-10T08:00:00', '2026-10-10T09:00:00', 'UTC', {
        pattern: { type: 'absoluteMonthly', interval: 2, dayOfMonth: 5 },
        range: { type: 'noEnd', startDate: '2026-10-10' },
      }),
    );
    // Exchange keeps a master's start on its first occurrence.
    expect(late.body['start']).toEqual({ dateTime: '2026-11-05T08:00:00.0000000', timeZone: 'UTC' });
    expect(late.body['recurrence']).toMatchObject({ range: { startDate: '2026-10-10' } });
    expect(starts(await view(token2, '2026-10-01T00:00:00Z', '2027-04-01T00:00:00Z'))).toEqual([
      '2026-11-05T08:00:00.0000000',
      '2027-01-05T08:00:00.0000000',
      '2027-03-05T08:00:00.0000000',
    ]);

    // The second Wednesday of each month, three times.
    await post(
      token2,
      '/me/events',
      series('Review', '2026-10-01T15:00:00', '2026-10-01T16:00:00', 'UTC', {
        pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['wednesday'], index: 'second' },
        range: { type: 'numbered', startDate: '2026-10-01', numberOfOccurrences: 3 },
      }),
    );
    const reviews = values(await view(token2, '2026-10-01T00:00:00Z', '2027-06-01T00:00:00Z')).filter(
      (event) => event['subject'] === 'Review',
    );
    expect(reviews.map((event) => (event['start'] as { dateTime: string }).dateTime)).toEqual([
      '2026-10-14T15:00:00.0000000',
      '2026-11-11T15:00:00.0000000',
      '2026-12-09T15:00:00.0000000',
    ]);
  });

  it('bounds the expansion by the window, counts numbered ranges from the first occurrence, and works per calendar', async () => {
    const email = 'bounded@sandbox.test';
    const token = await connect(email);
    const other = await sandbox.control.createCalendar(email, { name: 'Night shifts' });
    const otherPath = `/me/calendars/${encodeURIComponent(other.id)}`;
    // Forever, every day since 2026: a window years later still gets just its own days.
    await post(
      token,
      '/me/events',
      series('Daily forever', '2026-01-01T09:00:00', '2026-01-01T09:30:00', 'UTC', {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'noEnd', startDate: '2026-01-01' },
      }),
    );
    expect(starts(await view(token, '2040-06-10T00:00:00Z', '2040-06-13T00:00:00Z'))).toEqual([
      '2040-06-10T09:00:00.0000000',
      '2040-06-11T09:00:00.0000000',
      '2040-06-12T09:00:00.0000000',
    ]);
    // Every third day, 10 times: the 10th is on 28 January, nothing after.
    await post(
      token,
      otherPath + '/events',
      series('Every third night', '2026-01-01T23:00:00', '2026-01-02T01:00:00', 'UTC', {
        pattern: { type: 'daily', interval: 3 },
        range: { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 10 },
      }),
    );
    expect(starts(await view(token, '2026-01-26T02:00:00Z', '2026-03-01T00:00:00Z', { base: otherPath }))).toEqual([
      '2026-01-28T23:00:00.0000000',
    ]);
    // An occurrence that began before the window and runs into it belongs to it.
    expect(starts(await view(token, '2026-01-05T00:30:00Z', '2026-01-05T01:00:00Z', { base: otherPath }))).toEqual([
      '2026-01-04T23:00:00.0000000',
    ]);
    // The default calendar's view does not show the other calendar's series, and vice versa.
    const defaultDay = values(await view(token, '2026-01-04T00:00:00Z', '2026-01-06T00:00:00Z'));
    expect(defaultDay.map((event) => event['subject'])).toEqual(['Daily forever', 'Daily forever']);
  });
});

describe('calendarView/delta and single occurrences', () => {
  it('reports occurrences, their changes, exceptions and deletions through delta rounds', async () => {
    const email = 'series-delta@sandbox.test';
    const token = await connect(email);
    const window = 'startDateTime=2026-10-01T00:00:00Z&endDateTime=2026-10-29T00:00:00Z';
    const master = await post(
      token,
      '/me/events',
      series('Weekly', '2026-10-05T09:00:00', '2026-10-05T10:00:00', 'UTC', {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
        range: { type: 'noEnd', startDate: '2026-10-05' },
      }),
    );
    const masterId = String(master.body['id']);
    const first = await graph(token, `/me/calendarView/delta?${window}`);
    expect(values(first).map((event) => [event['type'], (event['start'] as { dateTime: string }).dateTime])).toEqual([
      ['occurrence', '2026-10-05T09:00:00.0000000'],
      ['occurrence', '2026-10-12T09:00:00.0000000'],
      ['occurrence', '2026-10-19T09:00:00.0000000'],
      ['occurrence', '2026-10-26T09:00:00.0000000'],
    ]);
    const [oct5, oct12, oct19, oct26] = values(first).map((event) => String(event['id']));
    let deltaLink = String(first.body['@odata.deltaLink']);

    // Changing the master changes every occurrence.
    expect((await graph(token, eventPath(masterId), { method: 'PATCH', body: { subject: 'Weekly sync' } })).status).toBe(200);
    const renamed = await graph(token, deltaLink);
    expect(values(renamed).map((event) => [event['id'], event['subject']])).toEqual([
      [oct5, 'Weekly sync'],
      [oct12, 'Weekly sync'],
      [oct19, 'Weekly sync'],
      [oct26, 'Weekly sync'],
    ]);
    deltaLink = String(renamed.body['@odata.deltaLink']);

    // One occurrence deleted: gone for GET and calendarView, @removed in delta.
    expect((await graph(token, eventPath(oct12), { method: 'DELETE' })).status).toBe(204);
    expect((await graph(token, eventPath(oct12))).status).toBe(404);
    expect((await graph(token, eventPath(oct12), { method: 'DELETE' })).status).toBe(404);
    const afterDelete = await graph(token, deltaLink);
    expect(values(afterDelete)).toContainEqual({ '@odata.type': '#microsoft.graph.event', id: oct12, '@removed': { reason: 'deleted' } });
    deltaLink = String(afterDelete.body['@odata.deltaLink']);

    // One occurrence moved: it becomes an exception with the same id.
    const moved = await graph(token, eventPath(oct19), {
      method: 'PATCH',
      body: {
        subject: 'Moved sync',
        start: { dateTime: '2026-10-20T14:00:00', timeZone: 'UTC' },
        end: { dateTime: '2026-10-20T15:00:00', timeZone: 'UTC' },
      },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      id: oct19,
      type: 'exception',
      seriesMasterId: masterId,
      subject: 'Moved sync',
      originalStart: '2026-10-19T09:00:00Z',
    });
    const recurringOnly = await view(token, '2026-10-01T00:00:00Z', '2026-10-29T00:00:00Z');
    expect(values(recurringOnly).map((event) => [event['id'], event['type'], (event['start'] as { dateTime: string }).dateTime])).toEqual([
      [oct5, 'occurrence', '2026-10-05T09:00:00.0000000'],
      [oct19, 'exception', '2026-10-20T14:00:00.0000000'],
      [oct26, 'occurrence', '2026-10-26T09:00:00.0000000'],
    ]);
    const afterMove = await graph(token, deltaLink);
    expect(values(afterMove).find((event) => event['id'] === oct19)).toMatchObject({ type: 'exception', subject: 'Moved sync' });
    deltaLink = String(afterMove.body['@odata.deltaLink']);
    // The master keeps its own subject; the exception keeps its own after a later master change.
    await graph(token, eventPath(masterId), { method: 'PATCH', body: { location: { displayName: 'Room 2' } } });
    expect((await graph(token, eventPath(oct19))).body).toMatchObject({ subject: 'Moved sync', location: { displayName: 'Room 2' } });
    expect((await graph(token, eventPath(masterId))).body['subject']).toBe('Weekly sync');

    // Deleting the master takes the whole series.
    expect((await graph(token, eventPath(masterId), { method: 'DELETE' })).status).toBe(204);
    expect(values(await view(token, '2026-10-01T00:00:00Z', '2026-10-29T00:00:00Z'))).toEqual([]);
    const gone = await graph(token, deltaLink);
    expect(
      values(gone)
        .map((event) => (event['@removed'] === undefined ? 'changed' : event['id']))
        .sort(),
    ).toEqual([oct19, oct26, oct5].sort());
    expect((await graph(token, eventPath(oct5))).status).toBe(404);
  });

  it('drops exceptions and deletions when the series pattern changes', async () => {
    const email = 'series-reset@sandbox.test';
    const token = await connect(email);
    const master = await post(
      token,
      '/me/events',
      series('Daily', '2026-10-05T09:00:00', '2026-10-05T09:30:00', 'UTC', {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'numbered', startDate: '2026-10-05', numberOfOccurrences: 3 },
      }),
    );
    const [, second] = values(await view(token, '2026-10-01T00:00:00Z', '2026-10-10T00:00:00Z')).map((event) => String(event['id']));
    // The user cancels one occurrence through the control API.
    await sandbox.control.deleteUserEvent(email, String(second));
    expect(values(await view(token, '2026-10-01T00:00:00Z', '2026-10-10T00:00:00Z'))).toHaveLength(2);
    const patched = await graph(token, eventPath(master.body['id']), {
      method: 'PATCH',
      body: {
        recurrence: {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'numbered', startDate: '2026-10-05', numberOfOccurrences: 4 },
        },
      },
    });
    expect(patched.status).toBe(200);
    expect(values(await view(token, '2026-10-01T00:00:00Z', '2026-10-10T00:00:00Z'))).toHaveLength(4);
    // recurrence: null makes it a single event again.
    const single = await graph(token, eventPath(master.body['id']), { method: 'PATCH', body: { recurrence: null } });
    expect(single.body).toMatchObject({ type: 'singleInstance', recurrence: null });
    expect(values(await view(token, '2026-10-01T00:00:00Z', '2026-10-10T00:00:00Z')).map((event) => event['id'])).toEqual([
      master.body['id'],
    ]);
    // An occurrence cannot be given a recurrence of its own.
    await graph(token, eventPath(master.body['id']), {
      method: 'PATCH',
      body: { recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd', startDate: '2026-10-05' } } },
    });
    const [occurrence] = values(await view(token, '2026-10-05T00:00:00Z', '2026-10-06T00:00:00Z'));
    const refused = await graph(token, eventPath(occurrence?.['id']), {
      method: 'PATCH',
      body: { recurrence: { pattern: { type: 'daily', interval: 2 }, range: { type: 'noEnd', startDate: '2026-10-05' } } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('ErrorInvalidRequest');
  });
});
