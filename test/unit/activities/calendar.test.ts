import { describe, expect, it } from 'vitest';
import type { UpsertEventInput } from '../../../src/activities';
import { createCalendarActivities } from '../../../src/activities/calendar';
import type { BookingDetails } from '../../../src/domain/booking';
import { ProviderError, type EventSpec } from '../../../src/providers';
import { accountRow, activityEnv, failureOf, fakeWorld, HOUR, NOW } from './fakes';

const BOOKING: BookingDetails = {
  title: 'Maths',
  start: '2030-01-02T10:00:00Z',
  end: '2030-01-02T11:00:00Z',
  timeZone: 'Europe/Berlin',
  participants: [
    { userId: 'ada', role: 'tutor', name: 'Ada', email: 'ada@example.com' },
    { userId: 'bob', role: 'client', name: 'Bob', email: 'bob@example.com' },
  ],
};

const UPSERT: UpsertEventInput = { bookingId: 'b-1', userId: 'ada', connectionId: 'conn-1', revision: 3, booking: BOOKING };

/** A world with one usable Google account, and the calendar activities built on it. */
function setup(row = accountRow()) {
  const world = fakeWorld();
  world.calendarAccounts.put(row);
  return { ...world, activities: createCalendarActivities(world.deps) };
}

describe('upsertCalendarEvent', () => {
  it('writes the rendered event to the account calendar, records it as created and returns where it went', async () => {
    const { activities, google, calendarEvents, budget } = setup(accountRow({ calendarId: 'work' }));
    // An asked-for calendar is ignored: events are always written to the account's current one.
    const result = await activityEnv().run(activities, 'upsertCalendarEvent', { ...UPSERT, calendarId: 'old' });
    // The one call's request token, taken with the account's row.
    expect(budget.taken).toEqual(new Map([['connection:conn-1', 1]]));

    expect(result).toEqual({ externalEventId: 'evt-b-1', calendarId: 'work', action: 'created' });
    const [call] = google.calls;
    expect(call?.ctx).toMatchObject({ credentials: { kind: 'bearer', accessToken: 'access-1' }, calendarId: 'work' });
    expect(call?.ctx.signal?.aborted).toBe(false);
    const spec = call?.args[0] as EventSpec;
    expect([spec.key, spec.start, spec.reminders]).toEqual([
      { bookingId: 'b-1', connectionId: 'conn-1' },
      BOOKING.start,
      [{ method: 'popup', minutes: 15 }],
    ]);
    expect(calendarEvents.outcomes).toEqual([
      expect.objectContaining({
        bookingId: 'b-1',
        connectionId: 'conn-1',
        userId: 'ada',
        revision: 3,
        provider: 'google',
        operation: 'create',
        externalEventId: 'evt-b-1',
        etag: '"1"',
        calendarId: 'work',
      }),
    ]);
    expect(calendarEvents.failures).toEqual([]);
  });

  it("writes the account's own reminders when it has them, marked as its own, instead of EVENT_REMINDERS", async () => {
    const own = [
      { method: 'email', minutes: 120 },
      { method: 'popup', minutes: 5 },
    ] as const;
    const { activities, google } = setup(accountRow({ reminders: [...own] }));
    await activityEnv().run(activities, 'upsertCalendarEvent', UPSERT);
    const spec = google.calls[0]?.args[0] as EventSpec;
    expect([spec.reminders, spec.accountReminders]).toEqual([own, true]);

    const deployment = setup();
    await activityEnv().run(deployment.activities, 'upsertCalendarEvent', UPSERT);
    expect((deployment.google.calls[0]?.args[0] as EventSpec).accountReminders).toBeUndefined();
  });

  it('records create or update by what the provider did, not by whether an event id was known', async () => {
    const { activities, google, calendarEvents } = setup();
    const env = activityEnv();
    await env.run(activities, 'upsertCalendarEvent', { ...UPSERT, knownExternalEventId: 'evt-old' });
    // The known event was deleted by the user: the provider wrote a new one.
    google.onUpsert = () => Promise.resolve({ externalEventId: 'evt-new', etag: undefined, action: 'created' });
    const recreated = await env.run(activities, 'upsertCalendarEvent', { ...UPSERT, knownExternalEventId: 'evt-old' });

    expect(recreated).toMatchObject({ externalEventId: 'evt-new', action: 'created' });
    expect(calendarEvents.outcomes.map((o) => [o.operation, o.externalEventId])).toEqual([
      ['update', 'evt-old'],
      ['create', 'evt-new'],
    ]);
  });

  it("moves the event when the account's calendar is no longer the one the known event is in: out of the old one, then created anew", async () => {
    // The user chose another calendar between the workflow's plan and this write.
    const { activities, google, calendarEvents, budget } = setup(accountRow({ calendarId: 'lessons' }));
    const result = await activityEnv().run(activities, 'upsertCalendarEvent', {
      ...UPSERT,
      knownExternalEventId: 'evt-old',
      knownCalendarId: 'personal',
    });

    expect(google.calls.map((c) => [c.method, c.ctx.calendarId, c.args[1]])).toEqual([
      ['deleteEvent', 'personal', { externalEventId: 'evt-old' }],
      ['upsertEvent', 'lessons', { externalEventId: undefined }],
    ]);
    expect(result).toMatchObject({ calendarId: 'lessons', action: 'created' });
    expect(calendarEvents.outcomes.map((o) => [o.operation, o.calendarId])).toEqual([
      ['delete', 'personal'],
      ['create', 'lessons'],
    ]);
    // Two calls, two request tokens: each readied account's token is spent by its own call.
    expect(budget.taken.get('connection:conn-1')).toBe(2);
  });

  it("updates in place when the known event is in the account's calendar", async () => {
    const { activities, google } = setup(accountRow({ calendarId: 'lessons' }));
    await activityEnv().run(activities, 'upsertCalendarEvent', { ...UPSERT, knownExternalEventId: 'evt-old', knownCalendarId: 'lessons' });
    expect(google.calls.map((c) => [c.method, c.ctx.calendarId, c.args[1]])).toEqual([
      ['upsertEvent', 'lessons', { externalEventId: 'evt-old' }],
    ]);
  });

  it('retries a rate limit after the Retry-After, audited as retrying with the attempt number', async () => {
    const { activities, google, syncLog, calendarEvents } = setup();
    google.onUpsert = () =>
      Promise.reject(new ProviderError('rate_limited', 'google 429: rateLimitExceeded', { status: 429, retryAfterMs: 7_000 }));
    const failure = await failureOf(activityEnv({ attempt: 3 }).run(activities, 'upsertCalendarEvent', UPSERT));

    expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual(['RateLimited', false, 7_000]);
    expect(syncLog.entries).toEqual([
      expect.objectContaining({
        bookingId: 'b-1',
        connectionId: 'conn-1',
        provider: 'google',
        operation: 'create',
        outcome: 'retrying',
        revision: 3,
        detail: 'attempt 3: google 429: rateLimitExceeded',
      }),
    ]);
    expect(calendarEvents.outcomes).toEqual([]);
    expect(calendarEvents.failures).toEqual([]);
  });

  it('retries an unavailable provider, and a surprise error, audited as retrying', async () => {
    const { activities, google, syncLog, calendarEvents } = setup();
    const env = activityEnv({ attempt: 2 });
    google.onUpsert = () => Promise.reject(new ProviderError('transient', 'google 503', { status: 503 }));
    const unavailable = await failureOf(env.run(activities, 'upsertCalendarEvent', { ...UPSERT, knownExternalEventId: 'evt-1' }));
    google.onUpsert = () => Promise.reject(new TypeError('cannot read properties of undefined'));
    const surprise = await failureOf(env.run(activities, 'upsertCalendarEvent', UPSERT));

    expect([unavailable.type, unavailable.nonRetryable]).toEqual(['ProviderUnavailable', false]);
    expect([surprise.type, surprise.nonRetryable]).toEqual(['Unexpected', false]);
    expect(syncLog.entries.map((e) => [e.operation, e.outcome, e.detail])).toEqual([
      ['update', 'retrying', 'attempt 2: google 503'],
      ['create', 'retrying', 'attempt 2: cannot read properties of undefined'],
    ]);
    expect(calendarEvents.failures).toEqual([]);
  });

  it.each([
    ['rejected', new ProviderError('rejected', 'google 400: invalid time zone', { status: 400 })],
    ['not_found', new ProviderError('not_found', 'google 404: calendar not found', { status: 404 })],
  ])('stops on a %s refusal and records the write as failed', async (_kind, refusal) => {
    const { activities, google, syncLog, calendarEvents } = setup();
    google.onUpsert = () => Promise.reject(refusal);
    const failure = await failureOf(activityEnv().run(activities, 'upsertCalendarEvent', UPSERT));

    expect([failure.type, failure.nonRetryable, failure.message]).toEqual(['ProviderRejected', true, refusal.message]);
    expect(calendarEvents.failures).toEqual([
      expect.objectContaining({
        bookingId: 'b-1',
        userId: 'ada',
        connectionId: 'conn-1',
        revision: 3,
        provider: 'google',
        operation: 'create',
        error: refusal.message,
      }),
    ]);
    expect(syncLog.entries).toEqual([]);
    expect(calendarEvents.outcomes).toEqual([]);
  });

  it('reports a refused token as expired with its generation, without auditing it', async () => {
    const { activities, google, syncLog, calendarEvents } = setup();
    google.onUpsert = () => Promise.reject(new ProviderError('unauthorized', 'google 401', { status: 401 }));
    const failure = await failureOf(activityEnv({ attempt: 4 }).run(activities, 'upsertCalendarEvent', UPSERT));

    expect([failure.type, failure.nonRetryable, failure.details]).toEqual(['TokenExpired', true, [{ tokenVersion: 4 }]]);
    expect(syncLog.entries).toEqual([]);
    expect(calendarEvents.failures).toEqual([]);
  });

  it('fails with the type the workflow acts on, without calling the provider, when the account cannot be used', async () => {
    const cases = [
      { row: accountRow({ status: 'disconnected' }), type: 'ConnectionUnavailable' },
      { row: accountRow({ status: 'needs_reauth' }), type: 'ReauthRequired' },
      { row: accountRow({ tokenExpiresAt: new Date(NOW + 60_000), tokenIssuedAt: new Date(NOW - HOUR) }), type: 'TokenExpired' },
    ];
    for (const { row, type } of cases) {
      const { activities, google, syncLog, calendarEvents } = setup(row);
      const failure = await failureOf(activityEnv().run(activities, 'upsertCalendarEvent', UPSERT));
      expect([failure.type, failure.nonRetryable]).toEqual([type, true]);
      expect([google.calls, syncLog.entries, calendarEvents.failures]).toEqual([[], [], []]);
    }
    const noAccount = createCalendarActivities(fakeWorld().deps);
    const missing = await failureOf(activityEnv().run(noAccount, 'upsertCalendarEvent', UPSERT));
    expect(missing.type).toBe('ConnectionUnavailable');
  });

  it('holds one of the account request slots during the call where the provider limits them, and frees it after a failure', async () => {
    const { activities, microsoft, slots } = setup(accountRow({ provider: 'microsoft' }));
    microsoft.onUpsert = () => {
      expect(slots.held.get('connection:conn-1')).toBe(1);
      return Promise.reject(new ProviderError('transient', 'graph 503'));
    };
    await failureOf(activityEnv().run(activities, 'upsertCalendarEvent', UPSERT));

    expect(microsoft.calls).toHaveLength(1);
    expect([slots.peak.get('connection:conn-1'), slots.held.get('connection:conn-1')]).toEqual([1, 0]);
  });
});

describe('deleteCalendarEvent', () => {
  const DELETE = { bookingId: 'b-1', userId: 'ada', connectionId: 'conn-1', revision: 4, knownExternalEventId: 'evt-1' };

  it('treats an event already gone as success, recorded as a delete with what the provider found', async () => {
    const { activities, google, calendarEvents } = setup();
    google.onDelete = () => Promise.resolve({ action: 'already_gone' });
    const result = await activityEnv().run(activities, 'deleteCalendarEvent', DELETE);

    expect(result).toEqual({ action: 'already_gone' });
    expect(calendarEvents.outcomes).toEqual([
      expect.objectContaining({
        operation: 'delete',
        externalEventId: 'evt-1',
        calendarId: 'primary',
        detail: 'already_gone',
        revision: 4,
      }),
    ]);
  });

  it('deletes in the calendar the event is in, when that is not the account current one', async () => {
    const { activities, google, calendarEvents } = setup();
    const result = await activityEnv().run(activities, 'deleteCalendarEvent', { ...DELETE, calendarId: 'old' });

    expect(result).toEqual({ action: 'deleted' });
    expect(google.calls.map((c) => [c.method, c.ctx.calendarId, c.args])).toEqual([
      ['deleteEvent', 'old', [{ bookingId: 'b-1', connectionId: 'conn-1' }, { externalEventId: 'evt-1' }]],
    ]);
    expect(calendarEvents.outcomes).toEqual([expect.objectContaining({ operation: 'delete', calendarId: 'old', detail: 'deleted' })]);
  });

  it('audits a failed delete as a delete: retrying, then failed', async () => {
    const { activities, google, syncLog, calendarEvents } = setup();
    google.onDelete = () => Promise.reject(new ProviderError('rate_limited', 'slow down', { retryAfterMs: 2_000 }));
    const retry = await failureOf(activityEnv({ attempt: 1 }).run(activities, 'deleteCalendarEvent', DELETE));
    google.onDelete = () => Promise.reject(new ProviderError('rejected', 'forbidden'));
    const final = await failureOf(activityEnv({ attempt: 2 }).run(activities, 'deleteCalendarEvent', DELETE));

    expect([retry.nonRetryable, retry.nextRetryDelay, final.nonRetryable]).toEqual([false, 2_000, true]);
    expect(syncLog.entries.map((e) => [e.operation, e.outcome, e.detail])).toEqual([['delete', 'retrying', 'attempt 1: slow down']]);
    expect(calendarEvents.failures.map((f) => [f.operation, f.error])).toEqual([['delete', 'forbidden']]);
    expect(calendarEvents.outcomes).toEqual([]);
  });
});
