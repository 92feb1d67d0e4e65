import { beforeEach, describe, expect, it } from 'vitest';
import type { GraphEventInput } from '../src/microsoft';
import { graph as graphAt, useMicrosoftSandbox, values, type GraphResult, type Json } from './microsoft-test-client';

// calendar: getSchedule in the Microsoft sandbox: schedule items and the availabilityView
// of the caller's and other mailboxes, unknown addresses, time zones, recurring series
// across a DST change, the request's refusals, permissions, and the guard (throttling,
// faults) every Graph route goes through.

const SCHEDULE = '/me/calendar/getSchedule';
const CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)';
const USER = 'ada@sandbox.test';
const WORKING_HOURS = {
  daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  startTime: '08:00:00.0000000',
  endTime: '17:00:00.0000000',
  timeZone: { name: 'UTC' },
};

const sandbox = useMicrosoftSandbox();
const { connect } = sandbox;

function getSchedule(
  token: string,
  body: unknown,
  options: { path?: string; headers?: Record<string, string> } = {},
): Promise<GraphResult> {
  return graphAt(sandbox.url, token, options.path ?? SCHEDULE, {
    method: 'POST',
    body,
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

function utc(dateTime: string): { dateTime: string; timeZone: string } {
  return { dateTime, timeZone: 'UTC' };
}

/** A request body for a window given in UTC wall-clock times. */
function request(schedules: string[], start: string, end: string, extra: Json = {}): Json {
  return { schedules, startTime: utc(start), endTime: utc(end), ...extra };
}

function event(subject: string, start: string, end: string, extra: Partial<GraphEventInput> = {}): GraphEventInput {
  return { subject, start: utc(start), end: utc(end), ...extra };
}

/** Graph's time format in the answer. */
function at(dateTime: string, timeZone = 'UTC'): { dateTime: string; timeZone: string } {
  return { dateTime: `${dateTime}.0000000`, timeZone };
}

function errorCode(result: GraphResult): string | undefined {
  return result.body.error?.code;
}

/**
 * A morning of the caller's default calendar, 08:00–12:00 UTC in 30-minute slots, with one
 * event of every status, an overlap of each kind, and an event that was deleted.
 */
async function seedMorning(email: string): Promise<void> {
  await sandbox.control.createUserEvent(
    email,
    event('Early train', '2026-10-05T07:00:00', '2026-10-05T08:15:00', { location: { displayName: 'Platform 9' } }),
  );
  await sandbox.control.createUserEvent(email, event('Standup', '2026-10-05T08:00:00', '2026-10-05T08:30:00', { sensitivity: 'private' }));
  await sandbox.control.createUserEvent(email, event('Maybe', '2026-10-05T08:30:00', '2026-10-05T09:30:00', { showAs: 'tentative' }));
  await sandbox.control.createUserEvent(
    email,
    event('Remote', '2026-10-05T09:00:00', '2026-10-05T10:00:00', { showAs: 'workingElsewhere' }),
  );
  await sandbox.control.createUserEvent(email, event('Lunch', '2026-10-05T10:00:00', '2026-10-05T10:30:00', { showAs: 'free' }));
  await sandbox.control.createUserEvent(email, event('Offsite', '2026-10-05T10:30:00', '2026-10-05T11:00:00', { showAs: 'oof' }));
  await sandbox.control.createUserEvent(email, event('Review', '2026-10-05T10:30:00', '2026-10-05T11:30:00'));
  const dropped = await sandbox.control.createUserEvent(email, event('Dropped', '2026-10-05T11:30:00', '2026-10-05T12:00:00'));
  await sandbox.control.deleteUserEvent(email, dropped.id);
  // In another calendar of the mailbox: free/busy comes from the default calendar only.
  const side = await sandbox.control.createCalendar(email, { name: 'Side projects' });
  await sandbox.control.createUserEvent(email, event('Side', '2026-10-05T11:30:00', '2026-10-05T12:00:00'), { calendarId: side.id });
}

// Slots: 08:00 busy (Early train, Standup), 08:30 tentative, 09:00 tentative beats working
// elsewhere, 09:30 working elsewhere, 10:00 free, 10:30 oof beats busy, 11:00 busy, 11:30 free.
const MORNING_VIEW = '21140320';

describe('schedules', () => {
  it('answers the caller’s own schedule with every item, its details and the availability view', async () => {
    const token = await connect(USER);
    await seedMorning(USER);
    const result = await getSchedule(token, request([USER], '2026-10-05T08:00:00', '2026-10-05T12:00:00'));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      '@odata.context': CONTEXT,
      value: [
        {
          scheduleId: USER,
          availabilityView: MORNING_VIEW,
          scheduleItems: [
            // Items keep their own times: the first started before the window.
            {
              isPrivate: false,
              status: 'busy',
              subject: 'Early train',
              location: 'Platform 9',
              start: at('2026-10-05T07:00:00'),
              end: at('2026-10-05T08:15:00'),
            },
            {
              isPrivate: true,
              status: 'busy',
              subject: 'Standup',
              location: '',
              start: at('2026-10-05T08:00:00'),
              end: at('2026-10-05T08:30:00'),
            },
            {
              isPrivate: false,
              status: 'tentative',
              subject: 'Maybe',
              location: '',
              start: at('2026-10-05T08:30:00'),
              end: at('2026-10-05T09:30:00'),
            },
            {
              isPrivate: false,
              status: 'workingElsewhere',
              subject: 'Remote',
              location: '',
              start: at('2026-10-05T09:00:00'),
              end: at('2026-10-05T10:00:00'),
            },
            {
              isPrivate: false,
              status: 'free',
              subject: 'Lunch',
              location: '',
              start: at('2026-10-05T10:00:00'),
              end: at('2026-10-05T10:30:00'),
            },
            {
              isPrivate: false,
              status: 'oof',
              subject: 'Offsite',
              location: '',
              start: at('2026-10-05T10:30:00'),
              end: at('2026-10-05T11:00:00'),
            },
            {
              isPrivate: false,
              status: 'busy',
              subject: 'Review',
              location: '',
              start: at('2026-10-05T10:30:00'),
              end: at('2026-10-05T11:30:00'),
            },
          ],
          workingHours: WORKING_HOURS,
        },
      ],
    });
  });

  it('shows another mailbox’s items with status and times only, and an unknown address as an error', async () => {
    const token = await connect(USER);
    const colleague = 'grace@sandbox.test';
    await sandbox.control.createAccount(colleague);
    await seedMorning(colleague);
    const unknown = 'nobody@sandbox.test';
    const result = await getSchedule(token, request(['Grace@Sandbox.test', unknown, USER], '2026-10-05T08:00:00', '2026-10-05T12:00:00'));
    expect(result.status).toBe(200);
    const [theirs, missing, mine] = values(result);
    expect(theirs).toEqual({
      scheduleId: 'Grace@Sandbox.test',
      availabilityView: MORNING_VIEW,
      scheduleItems: [
        { status: 'busy', start: at('2026-10-05T07:00:00'), end: at('2026-10-05T08:15:00') },
        { status: 'busy', start: at('2026-10-05T08:00:00'), end: at('2026-10-05T08:30:00') },
        { status: 'tentative', start: at('2026-10-05T08:30:00'), end: at('2026-10-05T09:30:00') },
        { status: 'workingElsewhere', start: at('2026-10-05T09:00:00'), end: at('2026-10-05T10:00:00') },
        { status: 'free', start: at('2026-10-05T10:00:00'), end: at('2026-10-05T10:30:00') },
        { status: 'oof', start: at('2026-10-05T10:30:00'), end: at('2026-10-05T11:00:00') },
        { status: 'busy', start: at('2026-10-05T10:30:00'), end: at('2026-10-05T11:30:00') },
      ],
      workingHours: WORKING_HOURS,
    });
    expect(missing).toEqual({
      scheduleId: unknown,
      availabilityView: '',
      scheduleItems: null,
      error: {
        message: `Unable to resolve e-mail address <>;SMTP:${unknown} to an Active Directory object.`,
        responseCode: 'ErrorMailRecipientNotFound',
      },
    });
    // The caller's own, empty schedule: all free, one digit per slot.
    expect(mine).toEqual({ scheduleId: USER, availabilityView: '00000000', scheduleItems: [], workingHours: WORKING_HOURS });
  });

  it('reads the window in startTime’s zone, answers in UTC, or in the Prefer: outlook.timezone zone', async () => {
    const token = await connect(USER);
    await sandbox.control.createUserEvent(USER, event('Lesson', '2026-10-05T16:00:00', '2026-10-05T17:00:00'));
    const pacific = { dateTime: '2026-10-05T08:00:00', timeZone: 'Pacific Standard Time' };
    const body = {
      schedules: [USER],
      startTime: pacific,
      endTime: { ...pacific, dateTime: '2026-10-05T12:00:00' },
      availabilityViewInterval: 60,
    };

    // 08:00–12:00 in Los Angeles (PDT) is 15:00–19:00 UTC: the lesson is the second hour.
    const plain = await getSchedule(token, body);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('preference-applied')).toBeNull();
    const [inUtc] = values(plain);
    expect(inUtc?.['availabilityView']).toBe('0200');
    expect(inUtc?.['scheduleItems']).toMatchObject([{ start: at('2026-10-05T16:00:00'), end: at('2026-10-05T17:00:00') }]);

    const preferred = await getSchedule(token, body, { headers: { prefer: 'outlook.timezone="Pacific Standard Time"' } });
    expect(preferred.status).toBe(200);
    expect(preferred.headers.get('preference-applied')).toBe('outlook.timezone="Pacific Standard Time"');
    expect(values(preferred)[0]?.['scheduleItems']).toMatchObject([
      { start: at('2026-10-05T09:00:00', 'Pacific Standard Time'), end: at('2026-10-05T10:00:00', 'Pacific Standard Time') },
    ]);

    const unknownZone = await getSchedule(token, body, { headers: { prefer: 'outlook.timezone="Mars Standard Time"' } });
    expect(unknownZone.status).toBe(400);
    expect(errorCode(unknownZone)).toBe('TimeZoneNotSupportedException');
  });

  it('expands a series across a DST change and leaves its deleted occurrence out', async () => {
    const token = await connect(USER);
    // Mondays at 10:00 Berlin time, three times; summer time starts on 2026-03-29.
    const master = await sandbox.control.createUserEvent(USER, {
      subject: 'Choir',
      start: { dateTime: '2026-03-23T10:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-03-23T11:00:00', timeZone: 'W. Europe Standard Time' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
        range: { type: 'numbered', startDate: '2026-03-23', numberOfOccurrences: 4 },
      },
    });
    const window = request([USER], '2026-03-21T00:00:00', '2026-04-18T00:00:00', { availabilityViewInterval: 1440 });
    const before = await getSchedule(token, window);
    expect(before.status).toBe(200);
    const starts = (result: GraphResult): unknown[] =>
      ((values(result)[0]?.['scheduleItems'] as Json[] | undefined) ?? []).map((item) => item['start']);
    // 10:00 CET is 09:00 UTC; 10:00 CEST is 08:00 UTC.
    expect(starts(before)).toEqual([
      at('2026-03-23T09:00:00'),
      at('2026-03-30T08:00:00'),
      at('2026-04-06T08:00:00'),
      at('2026-04-13T08:00:00'),
    ]);
    expect(values(before)[0]?.['availabilityView']).toBe('0020000002000000200000020000');

    const instances = await graphAt(
      sandbox.url,
      token,
      `/me/events/${encodeURIComponent(master.id)}/instances?startDateTime=2026-03-30T00:00:00Z&endDateTime=2026-03-31T00:00:00Z`,
    );
    const [second] = values(instances);
    expect(second?.['id']).toEqual(expect.any(String));
    const deleted = await graphAt(sandbox.url, token, `/me/events/${encodeURIComponent(String(second?.['id']))}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);

    const after = await getSchedule(token, window);
    expect(starts(after)).toEqual([at('2026-03-23T09:00:00'), at('2026-04-06T08:00:00'), at('2026-04-13T08:00:00')]);
    expect(values(after)[0]?.['availabilityView']).toBe('0020000000000000200000020000');
  });

  it('answers on any calendar of the caller, 404 for a calendar it does not have', async () => {
    const token = await connect(USER);
    const calendars = await sandbox.control.listCalendars(USER);
    const byId = await getSchedule(token, request([USER], '2026-10-05T08:00:00', '2026-10-05T09:00:00'), {
      path: `/me/calendars/${encodeURIComponent(calendars[0]?.id ?? '')}/getSchedule`,
    });
    expect(byId.status).toBe(200);
    expect(values(byId)[0]?.['availabilityView']).toBe('00');
    const unknown = await getSchedule(token, request([USER], '2026-10-05T08:00:00', '2026-10-05T09:00:00'), {
      path: '/me/calendars/AAMkAGnope/getSchedule',
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('ErrorItemNotFound');
  });

  it('takes parameter names in any case and the interval as a numeric string', async () => {
    const token = await connect(USER);
    await sandbox.control.createUserEvent(USER, event('Lesson', '2026-10-05T08:15:00', '2026-10-05T08:30:00'));
    const result = await getSchedule(token, {
      Schedules: [USER],
      StartTime: utc('2026-10-05T08:00:00'),
      EndTime: utc('2026-10-05T09:00:00'),
      availabilityViewInterval: '15',
    });
    expect(result.status).toBe(200);
    expect(values(result)[0]?.['availabilityView']).toBe('0200');
  });
});

describe('refusals', () => {
  let token: string;
  beforeEach(async () => {
    token = await connect(USER);
  });

  const addresses = (count: number): string[] => Array.from({ length: count }, (_, i) => `person${i}@sandbox.test`);

  it('accepts 20 schedules and refuses 21 with ErrorMailboxDataArrayTooBig', async () => {
    const twenty = await getSchedule(token, request(addresses(20), '2026-10-05T08:00:00', '2026-10-05T09:00:00'));
    expect(twenty.status).toBe(200);
    expect(values(twenty)).toHaveLength(20);
    const twentyOne = await getSchedule(token, request(addresses(21), '2026-10-05T08:00:00', '2026-10-05T09:00:00'));
    expect(twentyOne.status).toBe(400);
    expect(twentyOne.body.error).toMatchObject({
      code: 'ErrorMailboxDataArrayTooBig',
      message: 'There are too many target users in the EmailAddress array. The allowed size = 20; the actual size = 21.',
    });
  });

  it('accepts a window under 62 days and refuses 62 days with ErrorTimeIntervalTooBig', async () => {
    const under = await getSchedule(
      token,
      request([USER], '2026-01-01T00:00:00', '2026-03-03T23:59:00', { availabilityViewInterval: 1440 }),
    );
    expect(under.status).toBe(200);
    expect(values(under)[0]?.['availabilityView']).toHaveLength(62);
    const sixtyTwo = await getSchedule(
      token,
      request([USER], '2026-01-01T00:00:00', '2026-03-04T00:00:00', { availabilityViewInterval: 1440 }),
    );
    expect(sixtyTwo.status).toBe(400);
    expect(errorCode(sixtyTwo)).toBe('ErrorTimeIntervalTooBig');
  });

  it('refuses an empty or reversed window with ErrorInvalidTimeInterval', async () => {
    const empty = await getSchedule(token, request([USER], '2026-10-05T08:00:00', '2026-10-05T08:00:00'));
    expect(empty.status).toBe(400);
    expect(errorCode(empty)).toBe('ErrorInvalidTimeInterval');
    const reversed = await getSchedule(token, request([USER], '2026-10-05T09:00:00', '2026-10-05T08:00:00'));
    expect(reversed.status).toBe(400);
    expect(errorCode(reversed)).toBe('ErrorInvalidTimeInterval');
  });

  it('refuses an availabilityViewInterval outside 5–1440 minutes or not shorter than the window', async () => {
    const day = (interval: unknown) =>
      getSchedule(token, request([USER], '2026-10-05T00:00:00', '2026-10-07T00:00:00', { availabilityViewInterval: interval }));
    expect((await day(5)).status).toBe(200);
    expect((await day(1440)).status).toBe(200);
    for (const interval of [4, 1441]) {
      const refused = await day(interval);
      expect(refused.status, String(interval)).toBe(400);
      expect(errorCode(refused)).toBe('ErrorInvalidMergedFreeBusyInterval');
    }
    const wholeWindow = await getSchedule(
      token,
      request([USER], '2026-10-05T08:00:00', '2026-10-05T08:30:00', { availabilityViewInterval: 30 }),
    );
    expect(wholeWindow.status).toBe(400);
    expect(errorCode(wholeWindow)).toBe('ErrorInvalidMergedFreeBusyInterval');
    const notANumber = await day('soon');
    expect(notANumber.status).toBe(400);
    expect(errorCode(notANumber)).toBe('BadRequest');
  });

  it('refuses missing and unknown parameters and unknown zones', async () => {
    const noSchedules = await getSchedule(token, { startTime: utc('2026-10-05T08:00:00'), endTime: utc('2026-10-05T09:00:00') });
    expect(noSchedules.status).toBe(400);
    expect(errorCode(noSchedules)).toBe('ErrorInvalidParameter');
    const noEnd = await getSchedule(token, { schedules: [USER], startTime: utc('2026-10-05T08:00:00') });
    expect(noEnd.status).toBe(400);
    expect(errorCode(noEnd)).toBe('ErrorInvalidParameter');
    const extra = await getSchedule(token, request([USER], '2026-10-05T08:00:00', '2026-10-05T09:00:00', { maxResults: 5 }));
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatchObject({
      code: 'BadRequest',
      message: "The parameter 'maxResults' in the request payload is not a valid parameter for the operation 'getSchedule'.",
    });
    const badZone = await getSchedule(token, {
      schedules: [USER],
      startTime: { dateTime: '2026-10-05T08:00:00', timeZone: 'Mars Standard Time' },
      endTime: utc('2026-10-05T09:00:00'),
    });
    expect(badZone.status).toBe(400);
    expect(errorCode(badZone)).toBe('TimeZoneNotSupportedException');
  });
});

describe('permissions and guard', () => {
  const body = request([USER], '2026-10-05T08:00:00', '2026-10-05T09:00:00');

  it('needs Calendars.Read or Calendars.ReadWrite', async () => {
    const userOnly = await connect('user-only@sandbox.test', 'openid User.Read');
    const refused = await getSchedule(userOnly, body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
    const reader = await connect('reader@sandbox.test', 'openid Calendars.Read');
    expect((await getSchedule(reader, body)).status).toBe(200);
    const writer = await connect('writer@sandbox.test', 'openid Calendars.ReadWrite');
    expect((await getSchedule(writer, body)).status).toBe(200);
  });

  it('answers 401 without a valid token', async () => {
    const result = await getSchedule('not-a-token', body);
    expect(result.status).toBe(401);
    expect(errorCode(result)).toBe('InvalidAuthenticationToken');
  });

  it('counts the call in the mailbox’s request window and takes injected faults', async () => {
    const token = await connect(USER);
    await sandbox.control.configure({ mailboxRequestsPer10Minutes: 1 });
    expect((await getSchedule(token, body)).status).toBe(200);
    const throttled = await getSchedule(token, body);
    expect(throttled.status).toBe(429);
    expect(errorCode(throttled)).toBe('TooManyRequests');
    expect((await sandbox.control.stats()).byAccount[USER]?.throttled).toBe(1);
    await sandbox.control.configure({ mailboxRequestsPer10Minutes: 0 });

    await sandbox.control.addFault({ method: 'POST', path: '/getSchedule', status: 503 });
    const unavailable = await getSchedule(token, body);
    expect(unavailable.status).toBe(503);
    expect(errorCode(unavailable)).toBe('ServiceNotAvailable');
    expect((await getSchedule(token, body)).status).toBe(200);
  });
});
