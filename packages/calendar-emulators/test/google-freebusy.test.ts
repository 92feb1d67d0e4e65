import { beforeEach, describe, expect, it } from 'vitest';
import { CALENDAR_SCOPES, type GoogleEventInput } from '../src/google';
import { reasonOf, useGoogleSandbox, type ApiResult } from './google-test-client';

// freeBusy.query in the Google sandbox: which events make a calendar busy, how periods
// are expanded, clipped and merged, per-calendar errors, the request's refusals, the
// scopes that may ask, and the guard (rate limit, faults) every route goes through.

const FREEBUSY = '/calendar/v3/freeBusy';
const USER = 'busy@sandbox.test';

interface Busy {
  start: string;
  end: string;
}

const sandbox = useGoogleSandbox();
const { connect } = sandbox;

function query(token: string | undefined, body: unknown): Promise<ApiResult> {
  return sandbox.api(token, 'POST', FREEBUSY, body);
}

/** The busy list of one calendar of an answer (fails the test when it is not there). */
function busyOf(result: ApiResult, calendarId: string): Busy[] {
  const calendars = result.body['calendars'] as Record<string, { busy?: Busy[]; errors?: unknown }> | undefined;
  const entry = calendars?.[calendarId];
  expect(entry?.errors).toBeUndefined();
  expect(Array.isArray(entry?.busy)).toBe(true);
  return entry?.busy ?? [];
}

function timed(summary: string, start: string, end: string, extra: Partial<GoogleEventInput> = {}): GoogleEventInput {
  return { summary, start: { dateTime: start }, end: { dateTime: end }, ...extra };
}

const DAY = { timeMin: '2030-03-04T00:00:00Z', timeMax: '2030-03-05T00:00:00Z' };

describe('busy periods', () => {
  it('lists busy events in UTC and leaves out transparent and cancelled ones', async () => {
    const token = await connect(USER);
    await sandbox.control.createUserEvent(USER, timed('Lesson', '2030-03-04T09:00:00Z', '2030-03-04T10:00:00Z'));
    await sandbox.control.createUserEvent(USER, timed('Maybe', '2030-03-04T14:00:00Z', '2030-03-04T15:00:00Z', { status: 'tentative' }));
    await sandbox.control.createUserEvent(
      USER,
      timed('Lunch (available)', '2030-03-04T12:00:00Z', '2030-03-04T13:00:00Z', { transparency: 'transparent' }),
    );
    await sandbox.control.createUserEvent(
      USER,
      timed('Opaque', '2030-03-04T16:00:00Z', '2030-03-04T16:30:00Z', { transparency: 'opaque' }),
    );
    const dropped = await sandbox.control.createUserEvent(USER, timed('Dropped', '2030-03-04T11:00:00Z', '2030-03-04T11:30:00Z'));
    await sandbox.control.deleteUserEvent(USER, dropped.id);

    const result = await query(token, { ...DAY, items: [{ id: 'primary' }] });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      kind: 'calendar#freeBusy',
      timeMin: '2030-03-04T00:00:00.000Z',
      timeMax: '2030-03-05T00:00:00.000Z',
      calendars: {
        primary: {
          busy: [
            { start: '2030-03-04T09:00:00Z', end: '2030-03-04T10:00:00Z' },
            { start: '2030-03-04T14:00:00Z', end: '2030-03-04T15:00:00Z' },
            { start: '2030-03-04T16:00:00Z', end: '2030-03-04T16:30:00Z' },
          ],
        },
      },
    });
  });

  it('clips periods to the range and merges overlapping and back-to-back events', async () => {
    const token = await connect(USER);
    // Starts the evening before the range, ends inside it.
    await sandbox.control.createUserEvent(USER, timed('Night shift', '2030-03-03T22:00:00Z', '2030-03-04T02:00:00Z'));
    // Overlapping pair, then one that starts exactly when they end.
    await sandbox.control.createUserEvent(USER, timed('A', '2030-03-04T09:00:00Z', '2030-03-04T10:00:00Z'));
    await sandbox.control.createUserEvent(USER, timed('B', '2030-03-04T09:30:00Z', '2030-03-04T10:30:00Z'));
    await sandbox.control.createUserEvent(USER, timed('C', '2030-03-04T10:30:00Z', '2030-03-04T11:00:00Z'));
    // Contained in another one.
    await sandbox.control.createUserEvent(USER, timed('Long', '2030-03-04T13:00:00Z', '2030-03-04T17:00:00Z'));
    await sandbox.control.createUserEvent(USER, timed('Inside', '2030-03-04T14:00:00Z', '2030-03-04T15:00:00Z'));
    // Runs past the end of the range; and one entirely outside it.
    await sandbox.control.createUserEvent(USER, timed('Late', '2030-03-04T23:00:00Z', '2030-03-05T01:00:00Z'));
    await sandbox.control.createUserEvent(USER, timed('Tomorrow', '2030-03-05T09:00:00Z', '2030-03-05T10:00:00Z'));

    const result = await query(token, { ...DAY, items: [{ id: 'primary' }] });
    expect(result.status).toBe(200);
    expect(busyOf(result, 'primary')).toEqual([
      { start: '2030-03-04T00:00:00Z', end: '2030-03-04T02:00:00Z' },
      { start: '2030-03-04T09:00:00Z', end: '2030-03-04T11:00:00Z' },
      { start: '2030-03-04T13:00:00Z', end: '2030-03-04T17:00:00Z' },
      { start: '2030-03-04T23:00:00Z', end: '2030-03-05T00:00:00Z' },
    ]);
  });

  it('writes periods in the requested time zone and echoes the range in UTC', async () => {
    const token = await connect(USER);
    await sandbox.control.createUserEvent(USER, timed('Lesson', '2030-03-04T09:00:00Z', '2030-03-04T10:00:00Z'));
    const result = await query(token, {
      timeMin: '2030-03-04T00:00:00+01:00',
      timeMax: '2030-03-05T00:00:00+01:00',
      timeZone: 'Europe/Paris',
      items: [{ id: 'primary' }],
    });
    expect(result.status).toBe(200);
    expect(result.body['timeMin']).toBe('2030-03-03T23:00:00.000Z');
    expect(result.body['timeMax']).toBe('2030-03-04T23:00:00.000Z');
    expect(busyOf(result, 'primary')).toEqual([{ start: '2030-03-04T10:00:00+01:00', end: '2030-03-04T11:00:00+01:00' }]);
  });

  it('expands a recurring series across a DST change, without its EXDATE and past its COUNT', async () => {
    const token = await connect(USER);
    // Mondays at 10:00 in Paris, four times; the switch to summer time is on 2030-03-31.
    await sandbox.control.createUserEvent(USER, {
      summary: 'Choir',
      start: { dateTime: '2030-03-25T10:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2030-03-25T11:00:00', timeZone: 'Europe/Paris' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4', 'EXDATE;TZID=Europe/Paris:20300408T100000'],
    });
    const result = await query(token, {
      timeMin: '2030-03-20T00:00:00Z',
      timeMax: '2030-04-30T00:00:00Z',
      items: [{ id: 'primary' }],
    });
    expect(result.status).toBe(200);
    expect(busyOf(result, 'primary')).toEqual([
      // 10:00 CET is 09:00 UTC; after the change, 10:00 CEST is 08:00 UTC.
      { start: '2030-03-25T09:00:00Z', end: '2030-03-25T10:00:00Z' },
      { start: '2030-04-01T08:00:00Z', end: '2030-04-01T09:00:00Z' },
      { start: '2030-04-15T08:00:00Z', end: '2030-04-15T09:00:00Z' },
    ]);
  });

  it('skips a transparent series and a cancelled series entirely', async () => {
    const token = await connect(USER);
    const daily = (summary: string, extra: Partial<GoogleEventInput>): GoogleEventInput => ({
      summary,
      start: { dateTime: '2030-03-04T08:00:00', timeZone: 'UTC' },
      end: { dateTime: '2030-03-04T08:30:00', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
      ...extra,
    });
    await sandbox.control.createUserEvent(USER, daily('Focus (available)', { transparency: 'transparent' }));
    const cancelled = await sandbox.control.createUserEvent(USER, daily('Standup', {}));
    await sandbox.control.deleteUserEvent(USER, cancelled.id);
    await sandbox.control.createUserEvent(
      USER,
      daily('Kept', {
        start: { dateTime: '2030-03-04T18:00:00', timeZone: 'UTC' },
        end: { dateTime: '2030-03-04T18:30:00', timeZone: 'UTC' },
      }),
    );
    const result = await query(token, { timeMin: '2030-03-04T00:00:00Z', timeMax: '2030-03-06T00:00:00Z', items: [{ id: 'primary' }] });
    expect(busyOf(result, 'primary')).toEqual([
      { start: '2030-03-04T18:00:00Z', end: '2030-03-04T18:30:00Z' },
      { start: '2030-03-05T18:00:00Z', end: '2030-03-05T18:30:00Z' },
    ]);
  });

  it('answers each of the caller’s calendars by the id asked for, and notFound for any other', async () => {
    const token = await connect(USER);
    const work = await sandbox.control.createCalendar(USER, { summary: 'Work' });
    await sandbox.control.createUserEvent(USER, timed('Primary', '2030-03-04T09:00:00Z', '2030-03-04T10:00:00Z'));
    await sandbox.control.createUserEvent(USER, timed('Work', '2030-03-04T15:00:00Z', '2030-03-04T16:00:00Z'), { calendarId: work.id });
    // Another account's calendar is not shared with the caller.
    const other = 'other@sandbox.test';
    await sandbox.control.createAccount(other);
    await sandbox.control.createUserEvent(other, timed('Theirs', '2030-03-04T11:00:00Z', '2030-03-04T12:00:00Z'));

    const result = await query(token, {
      ...DAY,
      items: [{ id: 'primary' }, { id: 'Busy@Sandbox.test' }, { id: work.id }, { id: other }, { id: 'nobody@group.calendar.google.com' }],
    });
    expect(result.status).toBe(200);
    const primaryBusy = [{ start: '2030-03-04T09:00:00Z', end: '2030-03-04T10:00:00Z' }];
    const notFound = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
    expect(result.body['calendars']).toEqual({
      primary: { busy: primaryBusy },
      'Busy@Sandbox.test': { busy: primaryBusy },
      [work.id]: { busy: [{ start: '2030-03-04T15:00:00Z', end: '2030-03-04T16:00:00Z' }] },
      [other]: notFound,
      'nobody@group.calendar.google.com': notFound,
    });
  });

  it('answers an empty calendars object when no items are asked for', async () => {
    const token = await connect(USER);
    const result = await query(token, DAY);
    expect(result.status).toBe(200);
    expect(result.body['calendars']).toEqual({});
  });
});

describe('refusals', () => {
  let token: string;
  beforeEach(async () => {
    token = await connect(USER);
  });

  it('requires timeMin and timeMax, with an offset', async () => {
    const noMin = await query(token, { timeMax: DAY.timeMax, items: [{ id: 'primary' }] });
    expect(noMin.status).toBe(400);
    expect(reasonOf(noMin)).toBe('required');
    const noMax = await query(token, { timeMin: DAY.timeMin, items: [{ id: 'primary' }] });
    expect(noMax.status).toBe(400);
    expect(reasonOf(noMax)).toBe('required');
    const noOffset = await query(token, { timeMin: '2030-03-04T00:00:00', timeMax: DAY.timeMax, items: [{ id: 'primary' }] });
    expect(noOffset.status).toBe(400);
    expect(noOffset.body).toEqual({
      error: { errors: [{ domain: 'global', reason: 'badRequest', message: 'Bad Request' }], code: 400, message: 'Bad Request' },
    });
  });

  it('refuses an empty or reversed range with timeRangeEmpty', async () => {
    const expected = {
      error: {
        errors: [{ domain: 'calendar', reason: 'timeRangeEmpty', message: 'The specified time range is empty.' }],
        code: 400,
        message: 'The specified time range is empty.',
      },
    };
    const empty = await query(token, { timeMin: DAY.timeMin, timeMax: DAY.timeMin, items: [{ id: 'primary' }] });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual(expected);
    const reversed = await query(token, { timeMin: DAY.timeMax, timeMax: DAY.timeMin, items: [{ id: 'primary' }] });
    expect(reversed.status).toBe(400);
    expect(reversed.body).toEqual(expected);
  });

  it('accepts 90 days and refuses anything longer with timeRangeTooLong', async () => {
    const ninety = await query(token, { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-04-01T00:00:00Z', items: [{ id: 'primary' }] });
    expect(ninety.status).toBe(200);
    const longer = await query(token, { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-04-01T00:00:01Z', items: [{ id: 'primary' }] });
    expect(longer.status).toBe(400);
    expect(longer.body.error?.errors?.[0]).toMatchObject({ domain: 'calendar', reason: 'timeRangeTooLong' });
  });

  it('accepts 50 calendars and refuses 51 with tooManyCalendarsRequested', async () => {
    const ids = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `cal${i}@group.calendar.google.com` }));
    const fifty = await query(token, { ...DAY, items: ids(50) });
    expect(fifty.status).toBe(200);
    expect(Object.keys(fifty.body['calendars'] as object)).toHaveLength(50);
    const fiftyOne = await query(token, { ...DAY, items: ids(51) });
    expect(fiftyOne.status).toBe(400);
    expect(fiftyOne.body.error?.errors?.[0]).toMatchObject({ domain: 'calendar', reason: 'tooManyCalendarsRequested' });
    // calendarExpansionMax lowers the limit; above 50 it is itself invalid.
    const capped = await query(token, { ...DAY, calendarExpansionMax: 2, items: ids(3) });
    expect(capped.status).toBe(400);
    expect(reasonOf(capped)).toBe('tooManyCalendarsRequested');
    const badCap = await query(token, { ...DAY, calendarExpansionMax: 51, items: ids(1) });
    expect(badCap.status).toBe(400);
    expect(reasonOf(badCap)).toBe('invalid');
  });

  it('refuses an unknown time zone', async () => {
    const result = await query(token, { ...DAY, timeZone: 'Mars/Olympus_Mons', items: [{ id: 'primary' }] });
    expect(result.status).toBe(400);
    expect(reasonOf(result)).toBe('invalid');
  });
});

describe('scopes and guard', () => {
  const expectInsufficientScopes = (result: ApiResult): void => {
    expect(result.status).toBe(403);
    expect(result.body.error?.message).toBe('Request had insufficient authentication scopes.');
    expect(result.body.error?.errors).toEqual([
      { message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' },
    ]);
    expect(JSON.stringify(result.body)).toContain('calendar.v3.Freebusy.Query');
  };

  it('refuses tokens with events scopes only, even though they can read the events', async () => {
    const eventsOnly = await connect('events-only@sandbox.test', CALENDAR_SCOPES.events);
    expectInsufficientScopes(await query(eventsOnly, { ...DAY, items: [{ id: 'primary' }] }));
    const eventsRead = await connect('events-read@sandbox.test', `${CALENDAR_SCOPES.eventsReadonly} ${CALENDAR_SCOPES.eventsOwned}`);
    expectInsufficientScopes(await query(eventsRead, { ...DAY, items: [{ id: 'primary' }] }));
    const listing = await fetch(`${sandbox.url}/calendar/v3/calendars/primary/events`, {
      headers: { authorization: `Bearer ${eventsOnly}` },
    });
    expect(listing.status).toBe(200);
  });

  it('serves tokens with calendar, calendar.readonly, calendar.freebusy or calendar.events.freebusy', async () => {
    const scopes = [CALENDAR_SCOPES.calendar, CALENDAR_SCOPES.readonly, CALENDAR_SCOPES.freebusy, CALENDAR_SCOPES.eventsFreebusy];
    for (const [index, scope] of scopes.entries()) {
      const email = `scope${index}@sandbox.test`;
      const token = await connect(email, scope);
      await sandbox.control.createUserEvent(email, timed('Lesson', '2030-03-04T09:00:00Z', '2030-03-04T10:00:00Z'));
      const result = await query(token, { ...DAY, items: [{ id: 'primary' }] });
      expect(result.status, scope).toBe(200);
      expect(busyOf(result, 'primary')).toEqual([{ start: '2030-03-04T09:00:00Z', end: '2030-03-04T10:00:00Z' }]);
    }
  });

  it('answers 401 without a valid token', async () => {
    const result = await query(undefined, { ...DAY, items: [{ id: 'primary' }] });
    expect(result.status).toBe(401);
    expect(reasonOf(result)).toBe('authError');
  });

  it('counts requests and applies the per-user rate limit', async () => {
    const token = await connect(USER);
    const before = (await sandbox.control.stats()).byAccount[USER]?.requests ?? 0;
    await sandbox.control.configure({ perUserPerMinute: 2 });
    expect((await query(token, { ...DAY, items: [{ id: 'primary' }] })).status).toBe(200);
    expect((await query(token, { ...DAY, items: [{ id: 'primary' }] })).status).toBe(200);
    const limited = await query(token, { ...DAY, items: [{ id: 'primary' }] });
    expect(limited.status).toBe(403);
    expect(limited.body.error?.errors?.[0]).toMatchObject({ domain: 'usageLimits', reason: 'userRateLimitExceeded' });
    const stats = await sandbox.control.stats();
    expect(stats.byAccount[USER]?.requests).toBe(before + 3);
    expect(stats.byAccount[USER]?.rateLimited).toBe(1);
  });

  it('takes injected faults', async () => {
    const token = await connect(USER);
    await sandbox.control.addFault({ method: 'POST', path: '/freeBusy', status: 503, retryAfterSeconds: 3 });
    const failed = await query(token, { ...DAY, items: [{ id: 'primary' }] });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('3');
    expect(reasonOf(failed)).toBe('backendError');
    expect((await query(token, { ...DAY, items: [{ id: 'primary' }] })).status).toBe(200);
    expect((await sandbox.control.stats()).faultsInjected).toBe(1);
  });
});
