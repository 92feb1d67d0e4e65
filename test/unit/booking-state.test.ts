import { describe, expect, it } from 'vitest';
import type { BookingDetails } from '../../src/domain/booking';
import { BookingState, type CalendarTarget } from '../../src/workflows/booking-state';

const details = (over: Partial<BookingDetails> = {}): BookingDetails => ({
  title: 'Maths',
  start: '2030-01-01T10:00:00Z',
  end: '2030-01-01T11:00:00Z',
  timeZone: 'Europe/London',
  participants: [
    { userId: 'tutor-1', role: 'tutor', name: 'Ada', email: 'ada@example.com' },
    { userId: 'client-1', role: 'client', name: 'Bob', email: 'bob@example.com' },
  ],
  ...over,
});

const target = (userId: string, connectionId: string, over: Partial<CalendarTarget> = {}): CalendarTarget => ({
  userId, connectionId, provider: 'google', calendarId: 'primary', usable: true, needsReauth: false, syncEnabled: true, removing: false, ...over,
});

const NOW = '2029-12-01T00:00:00.000Z';

describe('BookingState version rules', () => {
  it('applies a confirm, ignores an identical versioned duplicate', () => {
    const s = new BookingState('b1');
    expect(s.confirm({ version: 1, booking: details() })).toBe(true);
    expect(s.confirm({ version: 1, booking: details({ title: 'Other' }) })).toBe(false);
    expect(s.desired?.details.title).toBe('Maths');
    expect(s.revision).toBe(1);
  });

  it('keeps the newest times when a reschedule v3 arrives before a confirm v2', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    s.reschedule({ version: 3, start: '2030-01-02T10:00:00Z', end: '2030-01-02T11:00:00Z' });
    s.confirm({ version: 2, booking: details({ title: 'Maths v2', start: '2030-01-05T10:00:00Z', end: '2030-01-05T11:00:00Z' }) });
    expect(s.desired?.details.start).toBe('2030-01-02T10:00:00Z');
    expect(s.desired?.details.title).toBe('Maths v2');
    expect(s.view()?.version).toBe(3);
  });

  it('ignores an older reschedule', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 5, booking: details() });
    expect(s.reschedule({ version: 4, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' })).toBe(false);
    expect(s.desired?.details.start).toBe('2030-01-01T10:00:00Z');
  });

  it('never resurrects a cancelled booking', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    s.cancel({ version: 2, reason: 'ill' });
    expect(s.reschedule({ version: 3, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' })).toBe(false);
    expect(s.confirm({ version: 4, booking: details() })).toBe(false);
    expect(s.desired?.status).toBe('cancelled');
  });

  it('unversioned changes apply in arrival order', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    expect(s.reschedule({ start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' })).toBe(true);
    expect(s.desired?.details.start).toBe('2030-03-01T10:00:00Z');
  });

  it('adopting a cancelled prior keeps the booking cancelled and continues revisions', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 9, booking: details() });
    s.adoptPrior({ status: 'cancelled', revision: 7 });
    expect(s.desired?.status).toBe('cancelled');
    expect(s.revision).toBeGreaterThan(7);
  });
});

describe('BookingState.plan', () => {
  it('upserts every usable calendar and skips participants without one', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    const ops = s.plan([target('tutor-1', 'c1')], NOW);
    expect(ops).toEqual([{ kind: 'upsert', userId: 'tutor-1', connectionId: 'c1', provider: 'google', knownExternalEventId: undefined }]);
    const view = s.view()!;
    expect(view.calendars.find((c) => c.userId === 'client-1')?.state).toBe('skipped');
  });

  it('does nothing once a calendar reached the current revision, and updates after a change', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    const [op] = s.plan([target('tutor-1', 'c1')], NOW);
    s.markUpserted(op!, s.revision, 'ev1', 'primary', NOW);
    expect(s.plan([target('tutor-1', 'c1')], NOW)).toEqual([]);
    s.reschedule({ start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' });
    expect(s.plan([target('tutor-1', 'c1')], NOW)).toEqual([
      { kind: 'upsert', userId: 'tutor-1', connectionId: 'c1', provider: 'google', knownExternalEventId: 'ev1' },
    ]);
  });

  it('deletes events of a cancelled booking and of removed participants', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    const targets = [target('tutor-1', 'c1'), target('client-1', 'c2')];
    for (const op of s.plan(targets, NOW)) s.markUpserted(op, s.revision, `ev-${op.connectionId}`, 'primary', NOW);
    s.confirm({ booking: details({ participants: [details().participants[0]!] }) });
    const ops = s.plan(targets, NOW);
    expect(ops.map((o) => `${o.kind}:${o.connectionId}`).sort()).toEqual(['delete:c2', 'upsert:c1']);
    for (const op of ops) op.kind === 'delete' ? s.markDeleted(op, s.revision, NOW) : s.markUpserted(op, s.revision, 'ev-c1', 'primary', NOW);
    s.cancel({});
    expect(s.plan(targets, NOW).map((o) => `${o.kind}:${o.connectionId}`)).toEqual(['delete:c1']);
  });

  it('parks calendars whose connection needs re-authentication, and resumes after reconnect', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    expect(s.plan([target('tutor-1', 'c1', { needsReauth: true })], NOW)).toEqual([]);
    expect(s.syncState).toBe('degraded');
    expect(s.settled).toBe(false);
    expect(s.plan([target('tutor-1', 'c1')], NOW)).toHaveLength(1);
  });

  it('survives a carry through continue-as-new', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 2, booking: details() });
    const [op] = s.plan([target('tutor-1', 'c1')], NOW);
    s.markUpserted(op!, s.revision, 'ev1', 'primary', NOW);
    const next = new BookingState('b1', JSON.parse(JSON.stringify(s.carry())));
    expect(next.view()).toEqual(s.view());
    expect(next.plan([target('tutor-1', 'c1')], NOW)).toEqual([]);
  });
});

describe('BookingState calendar choice', () => {
  it('moves an event when the connection now points at another calendar', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    const [op] = s.plan([target('tutor-1', 'c1')], NOW);
    s.markUpserted(op!, s.revision, 'ev1', 'primary', NOW);
    expect(s.plan([target('tutor-1', 'c1')], NOW)).toEqual([]);
    expect(s.plan([target('tutor-1', 'c1', { calendarId: 'work@group' })], NOW)).toEqual([
      { kind: 'upsert', userId: 'tutor-1', connectionId: 'c1', provider: 'google', moveFromCalendarId: 'primary' },
    ]);
  });

  it('deletes from the calendar the event is in', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    const [op] = s.plan([target('tutor-1', 'c1', { calendarId: 'work@group' })], NOW);
    s.markUpserted(op!, s.revision, 'ev1', 'work@group', NOW);
    s.cancel({});
    expect(s.plan([target('tutor-1', 'c1')], NOW)).toEqual([
      { kind: 'delete', userId: 'tutor-1', connectionId: 'c1', provider: 'google', knownExternalEventId: 'ev1', calendarId: 'work@group' },
    ]);
  });
});
