import { describe, expect, it } from 'vitest';
import { createBusyTimeActivities } from '../../../src/activities/busy-times';
import type { BusyConflict, ExternalEdit } from '../../../src/domain/busy-reports';
import { ProviderError, type CalendarChanges } from '../../../src/providers';
import { accountRow, activityEnv, failureOf, fakeWorld, HOUR, NOW } from './fakes';

const DAY = 24 * HOUR;
const INPUT = { connectionId: 'conn-1', userId: 'ada' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const REMOVED: ExternalEdit = {
  bookingId: 'b-1',
  userId: 'ada',
  connectionId: 'conn-1',
  state: 'removed_externally',
  changedAt: '2030-01-01T11:00:00.000Z',
};
const CONFLICT: BusyConflict = {
  bookingId: 'b-2',
  userId: 'ada',
  connectionId: 'conn-1',
  busyStart: '2030-01-03T09:00:00Z',
  busyEnd: '2030-01-03T10:00:00Z',
};
const CHANGES: CalendarChanges = {
  mode: 'full',
  cursorExpired: false,
  items: [{ itemId: 'x', removed: false, ours: false, busy: [{ start: CONFLICT.busyStart, end: CONFLICT.busyEnd }] }],
  cursor: 'cursor-2',
};

function setup() {
  const world = fakeWorld();
  world.calendarAccounts.put(accountRow());
  world.google.onReadChanges = () => Promise.resolve(CHANGES);
  return { ...world, activities: createBusyTimeActivities(world.deps) };
}

describe('refreshBusyTimes', () => {
  it('reads the whole window the first time and applies what the provider found', async () => {
    const { activities, google, busy } = setup();
    const report = await activityEnv().run(activities, 'refreshBusyTimes', INPUT);

    const window = { from: new Date(NOW - DAY), to: new Date(NOW + 90 * DAY) };
    expect(google.calls.map((c) => [c.method, c.ctx.calendarId, ...c.args])).toEqual([['readChanges', 'primary', window, undefined]]);
    expect(busy.applied).toEqual([
      {
        connectionId: 'conn-1',
        provider: 'google',
        calendarId: 'primary',
        window,
        changes: CHANGES,
        startedAt: busy.startedAt,
        previousStartedAt: null,
        previousCursor: null,
      },
    ]);
    expect(report).toEqual({ mode: 'full', cursorExpired: false, items: 1, edits: [], conflicts: [], healed: false });
  });

  it('follows the stored cursor over the stored window while the last full read is under a day old', async () => {
    const { activities, google, busy } = setup();
    const window = { from: new Date(NOW - 2 * DAY), to: new Date(NOW + 89 * DAY) };
    const previousStartedAt = new Date(NOW - HOUR);
    busy.states.set('conn-1|primary', {
      cursor: 'cursor-1',
      window,
      fullReadAt: new Date(NOW - DAY + 1),
      previousStartedAt,
    });
    await activityEnv().run(activities, 'refreshBusyTimes', INPUT);

    expect(google.calls.map((c) => c.args)).toEqual([[window, 'cursor-1']]);
    expect(busy.applied[0]).toMatchObject({ window, previousCursor: 'cursor-1', previousStartedAt });
  });

  it('reads everything again when the last full read is a day old or covered another BUSY_WINDOW', async () => {
    const { activities, google, busy } = setup();
    const stored = { cursor: 'cursor-1', previousStartedAt: new Date(NOW - HOUR) };
    const env = activityEnv();
    busy.states.set('conn-1|primary', {
      ...stored,
      window: { from: new Date(NOW - 2 * DAY), to: new Date(NOW + 89 * DAY) },
      fullReadAt: new Date(NOW - DAY),
    });
    await env.run(activities, 'refreshBusyTimes', INPUT);
    busy.states.set('conn-1|primary', {
      ...stored,
      window: { from: new Date(NOW - 2 * DAY), to: new Date(NOW + 59 * DAY) },
      fullReadAt: new Date(NOW - HOUR),
    });
    await env.run(activities, 'refreshBusyTimes', INPUT);

    const full = { from: new Date(NOW - DAY), to: new Date(NOW + 90 * DAY) };
    expect(google.calls.map((c) => c.args)).toEqual([
      [full, undefined],
      [full, undefined],
    ]);
    expect(busy.applied.map((a) => [a.previousCursor, a.previousStartedAt])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('returns the edits and conflicts to report, each with a notification id that a repeated read gives again', async () => {
    const { activities, busy, busyConflicts } = setup();
    const moved: ExternalEdit = { ...REMOVED, bookingId: 'b-3', state: 'moved_externally' };
    busy.edits = [REMOVED, moved];
    busyConflicts.conflicts = [CONFLICT];
    const env = activityEnv();
    const first = await env.run(activities, 'refreshBusyTimes', INPUT);
    const again = await env.run(activities, 'refreshBusyTimes', INPUT);

    expect(first.edits).toEqual([
      { ...REMOVED, notificationId: expect.stringMatching(UUID) as string },
      { ...moved, notificationId: expect.stringMatching(UUID) as string },
    ]);
    expect(first.conflicts).toEqual([{ ...CONFLICT, notificationId: expect.stringMatching(UUID) as string }]);
    const ids = [...first.edits, ...first.conflicts].map((r) => r.notificationId);
    expect(new Set(ids).size).toBe(3);
    expect([...again.edits, ...again.conflicts].map((r) => r.notificationId)).toEqual(ids);
  });

  it('gives a new episode of the same edit, or another busy interval, a new notification id', async () => {
    const { activities, busy, busyConflicts } = setup();
    const env = activityEnv();
    busy.edits = [REMOVED];
    busyConflicts.conflicts = [CONFLICT];
    const before = await env.run(activities, 'refreshBusyTimes', INPUT);
    busy.edits = [{ ...REMOVED, changedAt: '2030-01-01T11:30:00.000Z' }];
    busyConflicts.conflicts = [{ ...CONFLICT, busyEnd: '2030-01-03T10:30:00Z' }];
    const after = await env.run(activities, 'refreshBusyTimes', INPUT);

    expect(after.edits[0]?.notificationId).not.toBe(before.edits[0]?.notificationId);
    expect(after.conflicts[0]?.notificationId).not.toBe(before.conflicts[0]?.notificationId);
  });

  it('records a failed read on the account and fails the way the provider error says, applying nothing', async () => {
    const { activities, google, busy } = setup();
    google.onReadChanges = () =>
      Promise.reject(new ProviderError('rate_limited', 'google 403: userRateLimitExceeded', { retryAfterMs: 30_000 }));
    const limited = await failureOf(activityEnv().run(activities, 'refreshBusyTimes', INPUT));
    google.onReadChanges = () => Promise.reject(new ProviderError('unauthorized', 'google 401'));
    const refused = await failureOf(activityEnv().run(activities, 'refreshBusyTimes', INPUT));
    google.onReadChanges = () => Promise.reject(new ProviderError('rejected', 'beyond limits'));
    const beyond = await failureOf(activityEnv().run(activities, 'refreshBusyTimes', INPUT));

    expect([limited.type, limited.nonRetryable, limited.nextRetryDelay]).toEqual(['RateLimited', false, 30_000]);
    expect([refused.type, refused.details]).toEqual(['TokenExpired', [{ tokenVersion: 4 }]]);
    expect([beyond.type, beyond.nonRetryable]).toEqual(['ProviderRejected', true]);
    // A refused token is refreshed by the workflow, not shown as the account's error; a refusal
    // that is not retried is recorded as final (the account goes into `error`).
    expect(busy.errors).toEqual([
      { connectionId: 'conn-1', calendarId: 'primary', message: 'google 403: userRateLimitExceeded', final: false },
      { connectionId: 'conn-1', calendarId: 'primary', message: 'beyond limits', final: true },
    ]);
    expect(busy.applied).toEqual([]);
  });

  it('reads BUSY_WINDOW ahead', async () => {
    const world = fakeWorld();
    world.calendarAccounts.put(accountRow());
    const activities = createBusyTimeActivities({ ...world.deps, busyWindowMs: 10 * DAY });
    await activityEnv().run(activities, 'refreshBusyTimes', INPUT);

    expect(world.google.calls.map((c) => c.args)).toEqual([[{ from: new Date(NOW - DAY), to: new Date(NOW + 10 * DAY) }, undefined]]);
  });

  it('reads each chosen calendar on its own cursor, the one events go to first and always', async () => {
    const { activities, google, busy, budget } = setup();
    busy.chosen.set('conn-1', ['work', 'family']);
    busy.states.set('conn-1|work', {
      cursor: 'work-cursor',
      window: { from: new Date(NOW - 2 * DAY), to: new Date(NOW + 89 * DAY) },
      fullReadAt: new Date(NOW - HOUR),
      previousStartedAt: new Date(NOW - HOUR),
    });
    const report = await activityEnv().run(activities, 'refreshBusyTimes', INPUT);

    expect(busy.counted).toEqual([{ connectionId: 'conn-1', read: ['primary', 'work', 'family'], counted: ['work', 'family'] }]);
    expect(google.calls.map((c) => [c.ctx.calendarId, c.args[1]])).toEqual([
      ['primary', undefined],
      ['work', 'work-cursor'],
      ['family', undefined],
    ]);
    expect(busy.applied.map((a) => [a.calendarId, a.previousCursor])).toEqual([
      ['primary', null],
      ['work', 'work-cursor'],
      ['family', null],
    ]);
    expect(report.items).toBe(3);
    // One request token per read: the first taken with the account's row, the others each on its own.
    expect(budget.taken.get('connection:conn-1')).toBe(3);
  });

  it('counts the default calendar and the one events go to by default', async () => {
    const world = fakeWorld();
    world.calendarAccounts.put(accountRow({ calendarId: 'work' }));
    await activityEnv().run(createBusyTimeActivities(world.deps), 'refreshBusyTimes', INPUT);

    expect(world.busy.counted).toEqual([{ connectionId: 'conn-1', read: ['work', 'primary'], counted: ['work', 'primary'] }]);
  });

  it('a chosen calendar refused for good keeps its error and does not stop the others; any other failure fails the read after them', async () => {
    const { activities, google, busy } = setup();
    busy.chosen.set('conn-1', ['primary', 'gone', 'flaky']);
    let flaky = true;
    google.onReadChanges = (_window, _cursor, calendarId) => {
      if (calendarId === 'gone') return Promise.reject(new ProviderError('not_found', 'google 404: notFound'));
      if (calendarId === 'flaky' && flaky) return Promise.reject(new ProviderError('transient', 'google 503'));
      return Promise.resolve(CHANGES);
    };
    const env = activityEnv();
    const failure = await failureOf(env.run(activities, 'refreshBusyTimes', INPUT));
    flaky = false;
    const report = await env.run(activities, 'refreshBusyTimes', INPUT);

    expect([failure.type, failure.nonRetryable]).toEqual(['ProviderUnavailable', false]);
    expect(report.items).toBe(2);
    expect(busy.applied.map((a) => a.calendarId)).toEqual(['primary', 'primary', 'flaky']);
    expect(busy.errors.map((e) => [e.calendarId, e.final])).toEqual([
      ['gone', true],
      ['flaky', false],
      ['gone', true],
    ]);
  });

  it('a refused token ends the read at once', async () => {
    const { activities, google, busy } = setup();
    busy.chosen.set('conn-1', ['primary', 'work']);
    google.onReadChanges = () => Promise.reject(new ProviderError('unauthorized', 'google 401'));
    const failure = await failureOf(activityEnv().run(activities, 'refreshBusyTimes', INPUT));

    expect(failure.type).toBe('TokenExpired');
    expect(google.calls).toHaveLength(1);
  });

  it('does not read a calendar account that needs reconnecting', async () => {
    const world = fakeWorld();
    world.calendarAccounts.put(accountRow({ status: 'needs_reauth' }));
    const failure = await failureOf(activityEnv().run(createBusyTimeActivities(world.deps), 'refreshBusyTimes', INPUT));

    expect([failure.type, failure.nonRetryable]).toEqual(['ReauthRequired', true]);
    expect([world.google.calls, world.busy.applied, world.busy.errors]).toEqual([[], [], []]);
  });
});

describe('markBusyReportsSent', () => {
  it('marks the sent edits and conflicts reported', async () => {
    const { activities, externalEdits, busyConflicts } = setup();
    const edits = [{ bookingId: 'b-1', changedAt: REMOVED.changedAt }];
    const conflicts = [{ bookingId: 'b-2', busyStart: CONFLICT.busyStart, busyEnd: CONFLICT.busyEnd }];
    await activityEnv().run(activities, 'markBusyReportsSent', { connectionId: 'conn-1', edits, conflicts });

    expect([externalEdits.reported, busyConflicts.reported]).toEqual([edits, conflicts]);
  });
});

describe('refreshBusyTimes and account health', () => {
  it('a read that goes through on an account in error reports it healed, once', async () => {
    const { activities, accountHealth } = setup();
    accountHealth.inError = true;
    expect((await activityEnv().run(activities, 'refreshBusyTimes', INPUT)).healed).toBe(true);
    expect((await activityEnv().run(activities, 'refreshBusyTimes', INPUT)).healed).toBe(false);
  });

  it('a read heals in one store call, for the calendar it read; a lost write permission only once the calendar list shows it writable', async () => {
    const { activities, accountHealth, calendarAccounts, google } = setup();
    expect(await activityEnv().run(activities, 'refreshBusyTimes', INPUT)).toMatchObject({ healed: false });
    expect(accountHealth.heals).toEqual([
      { kinds: ['calendar_not_found', 'account_disabled', 'secret_unavailable'], calendarId: 'primary' },
    ]);

    calendarAccounts.put(accountRow({ status: 'error', errorKind: 'calendar_forbidden' }));
    let writable = false;
    google.listCalendars = () => Promise.resolve([{ id: 'primary', name: 'Ada', primary: true, writable }]);
    await activityEnv().run(activities, 'refreshBusyTimes', INPUT);
    expect(accountHealth.heals[1]!.kinds).not.toContain('calendar_forbidden');
    writable = true;
    await activityEnv().run(activities, 'refreshBusyTimes', INPUT);
    expect(accountHealth.heals[2]).toEqual({
      kinds: ['calendar_not_found', 'account_disabled', 'secret_unavailable', 'calendar_forbidden'],
      calendarId: 'primary',
    });
    expect(accountHealth.heals).toHaveLength(3);
  });

  it('a calendar the account no longer lists puts the account in error instead of a bare refusal', async () => {
    const { activities, google, accountHealth } = setup();
    google.onReadChanges = () => Promise.reject(new ProviderError('not_found', 'Google Calendar 404 notFound: Not Found', { status: 404 }));
    google.listCalendars = () => Promise.resolve([{ id: 'other', name: 'Other', primary: false, writable: true }]);
    const failure = await failureOf(activityEnv().run(activities, 'refreshBusyTimes', INPUT));
    expect([failure.type, failure.nonRetryable]).toEqual(['AccountError', true]);
    expect(accountHealth.marked).toEqual([{ id: 'conn-1', kind: 'calendar_not_found' }]);
  });
});
