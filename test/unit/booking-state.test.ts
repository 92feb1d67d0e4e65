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
  userId,
  connectionId,
  provider: 'google',
  calendarId: 'primary',
  usable: true,
  needsReauth: false,
  syncEnabled: true,
  removing: false,
  ...over,
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

  it('ignores a confirm older than everything applied, without a new revision', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 5, booking: details() });
    expect(s.confirm({ version: 4, booking: details({ title: 'Old', start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' }) })).toBe(
      false,
    );
    expect(s.desired?.details).toEqual(details());
    expect(s.revision).toBe(1);
  });

  it('ignores a reschedule replayed with the version it already applied', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    expect(s.reschedule({ version: 2, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' })).toBe(true);
    expect(s.reschedule({ version: 2, start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' })).toBe(false);
    expect(s.desired?.details.start).toBe('2030-02-01T10:00:00Z');
    expect(s.revision).toBe(2);
  });

  it('drops a reschedule that arrives before any confirm', () => {
    const s = new BookingState('b1');
    expect(s.reschedule({ version: 2, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' })).toBe(false);
    expect(s.desired).toBeNull();
    expect(s.revision).toBe(0);
    expect(s.dirty).toBe(false);
    // The confirm that follows is taken as it is, whatever its version.
    expect(s.confirm({ version: 1, booking: details() })).toBe(true);
    expect(s.desired?.details.start).toBe('2030-01-01T10:00:00Z');
  });

  it('drops a cancel that arrives before any confirm', () => {
    const s = new BookingState('b1');
    expect(s.cancel({ version: 3, reason: 'early' })).toBe(false);
    expect(s.desired).toBeNull();
    expect(s.revision).toBe(0);
    expect(s.dirty).toBe(false);
  });

  it('cancels even when the cancel carries an older version than the booking', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 5, booking: details() });
    expect(s.cancel({ version: 1, reason: 'ill' })).toBe(true);
    expect(s.desired?.status).toBe('cancelled');
    expect(s.desired?.cancelReason).toBe('ill');
    expect(s.revision).toBe(2);
  });

  it('ignores a second cancel: the first reason stays and no new revision is made', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    s.cancel({ version: 2, reason: 'ill' });
    expect(s.cancel({ version: 3, reason: 'moved away' })).toBe(false);
    expect(s.desired?.cancelReason).toBe('ill');
    expect(s.revision).toBe(2);
  });

  it('applies an unversioned change after versioned ones, and keeps the version it had', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 5, booking: details() });
    expect(s.reschedule({ start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' })).toBe(true);
    expect(s.confirm({ booking: details({ title: 'Unversioned' }) })).toBe(true);
    expect(s.desired?.details.title).toBe('Unversioned');
    expect(s.desired?.versions).toEqual({ details: 5, times: 5 });
    expect(s.version).toBe(5);
    // ...so an older versioned change is still refused afterwards.
    expect(s.reschedule({ version: 4, start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' })).toBe(false);
    expect(s.confirm({ version: 4, booking: details({ title: 'Stale' }) })).toBe(false);
    expect(s.desired?.details.title).toBe('Unversioned');
  });

  it('applies any versioned change after unversioned ones, and reports a version from then on', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    expect(s.version).toBeNull();
    expect(s.view()?.version).toBeNull();
    expect(s.reschedule({ version: 1, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' })).toBe(true);
    expect(s.desired?.versions).toEqual({ details: null, times: 1 });
    expect(s.version).toBe(1);
    expect(s.confirm({ version: 1, booking: details({ title: 'Maths v1' }) })).toBe(true);
    expect(s.desired?.details.title).toBe('Maths v1');
    // times v1 is already held: the confirm's times do not replace the rescheduled ones.
    expect(s.desired?.details.start).toBe('2030-02-01T10:00:00Z');
    expect(s.desired?.versions).toEqual({ details: 1, times: 1 });
  });

  it('a newer confirm replaces the whole booking: optional fields it leaves out are cleared', () => {
    const s = new BookingState('b1');
    s.confirm({
      version: 1,
      booking: details({
        description: 'Bring a calculator',
        location: 'Room 4',
        meetingUrl: 'https://meet.example/x',
        templates: { default: { title: '{{title}}' } },
      }),
    });
    expect(s.confirm({ version: 2, booking: details({ title: 'Maths v2' }) })).toBe(true);
    expect(s.desired?.details.templates).toBeUndefined();
    const view = s.view()!;
    expect(view.title).toBe('Maths v2');
    expect(view).not.toHaveProperty('description');
    expect(view).not.toHaveProperty('location');
    expect(view).not.toHaveProperty('meetingUrl');
  });

  it("a reschedule without a time zone keeps the booking's, one with a zone replaces it", () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    s.reschedule({ version: 2, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' });
    expect(s.desired?.details.timeZone).toBe('Europe/London');
    s.reschedule({ version: 3, start: '2030-02-02T10:00:00Z', end: '2030-02-02T11:00:00Z', timeZone: 'Asia/Tokyo' });
    expect(s.desired?.details.timeZone).toBe('Asia/Tokyo');
  });

  it("adopting a prior with an older revision keeps counting from this run's", () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    s.confirm({ version: 2, booking: details({ title: 'v2' }) });
    s.adoptPrior({ status: 'confirmed', revision: 1 });
    expect(s.revision).toBe(3); // its own 2, then one more for the adoption
    expect(s.desired?.status).toBe('confirmed');
  });

  it('adopting a prior before any confirm only continues its revision, and keeps the saved revision within it', () => {
    const s = new BookingState('b1', { desired: null, revision: 0, savedRevision: 4, calendars: [] });
    s.adoptPrior({ status: 'cancelled', revision: 2 });
    expect(s.revision).toBe(2);
    expect(s.savedRevision).toBe(2);
    expect(s.desired).toBeNull();
    expect(s.dirty).toBe(false);
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
      {
        kind: 'upsert',
        userId: 'tutor-1',
        connectionId: 'c1',
        provider: 'google',
        knownExternalEventId: 'ev1',
        knownCalendarId: 'primary',
      },
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
    for (const op of ops) {
      if (op.kind === 'delete') s.markDeleted(op, s.revision, NOW);
      else s.markUpserted(op, s.revision, 'ev-c1', 'primary', NOW);
    }
    s.cancel({});
    expect(s.plan(targets, NOW).map((o) => `${o.kind}:${o.connectionId}`)).toEqual(['delete:c1']);
  });

  it('writes nothing for a participant with sync off, though they have a calendar', () => {
    const s = new BookingState('b1');
    const [tutor, client] = details().participants;
    s.confirm({ booking: details({ participants: [tutor!, { ...client!, sync: false }] }) });
    const ops = s.plan([target('tutor-1', 'c1'), target('client-1', 'c2')], NOW);
    expect(ops.map((o) => `${o.kind}:${o.connectionId}`)).toEqual(['upsert:c1']);
    const view = s.view()!;
    expect(view.calendars.find((c) => c.userId === 'client-1')).toMatchObject({ state: 'skipped', connectionId: null });
    expect(view.participants.find((p) => p.userId === 'client-1')?.sync).toBe(false);
    expect(view.participants.find((p) => p.userId === 'tutor-1')).not.toHaveProperty('sync');
  });

  it('sync turned off deletes the event made for that participant; turned on again, writes it anew', () => {
    const s = new BookingState('b1');
    const [tutor, client] = details().participants;
    const targets = [target('tutor-1', 'c1'), target('client-1', 'c2')];
    s.confirm({ booking: details() });
    for (const op of s.plan(targets, NOW)) s.markUpserted(op, s.revision, `ev-${op.connectionId}`, 'primary', NOW);

    s.confirm({ booking: details({ participants: [tutor!, { ...client!, sync: false }] }) });
    const off = s.plan(targets, NOW);
    expect(off.map((o) => `${o.kind}:${o.connectionId}`).sort()).toEqual(['delete:c2', 'upsert:c1']);
    expect(off.find((o) => o.kind === 'delete')).toMatchObject({ userId: 'client-1', knownExternalEventId: 'ev-c2' });
    for (const op of off) {
      if (op.kind === 'delete') s.markDeleted(op, s.revision, NOW);
      else s.markUpserted(op, s.revision, 'ev-c1', 'primary', NOW);
    }
    // A later change (here a reschedule) does not bring it back while sync stays off.
    s.reschedule({ start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' });
    expect(s.plan(targets, NOW).map((o) => `${o.kind}:${o.connectionId}`)).toEqual(['upsert:c1']);

    s.confirm({ booking: details({ participants: [tutor!, { ...client!, sync: true }] }) });
    const on = s.plan(targets, NOW);
    expect(on.map((o) => `${o.kind}:${o.connectionId}`).sort()).toEqual(['upsert:c1', 'upsert:c2']);
    expect(
      s
        .view()!
        .calendars.filter((c) => c.userId === 'client-1')
        .map((c) => c.connectionId),
    ).toEqual(['c2']);
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
    const next = new BookingState('b1', JSON.parse(JSON.stringify(s.carry())) as ReturnType<BookingState['carry']>);
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

describe('BookingState passes and operations', () => {
  it('a pass takes every change so far and keeps the booking pending until it ends', () => {
    const s = new BookingState('b1');
    s.confirm({ booking: details() });
    expect(s.dirty).toBe(true);
    expect(s.passStarted()?.status).toBe('confirmed');
    expect(s.dirty).toBe(false);
    expect(s.reconciling).toBe(true);
    expect(s.syncState).toBe('pending');
    s.passEnded(false);
    expect(s.reconciling).toBe(false);
    expect(s.syncState).toBe('synced');
  });

  it('a pass before any confirm takes the change and plans nothing', () => {
    const s = new BookingState('b1');
    s.resync('c1');
    expect(s.dirty).toBe(true);
    expect(s.passStarted()).toBeNull();
    expect(s.dirty).toBe(false);
    expect(s.reconciling).toBe(false);
  });

  it('an operation that ends behind the current revision asks for another pass; one that ends on it does not', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    s.passStarted();
    s.operationStarted();
    s.passEnded(true);
    expect(s.reconciling).toBe(true);
    s.operationEnded(1, false);
    expect(s.dirty).toBe(false);
    expect(s.reconciling).toBe(false);

    s.operationStarted();
    s.reschedule({ version: 2, start: '2030-02-01T10:00:00Z', end: '2030-02-01T11:00:00Z' });
    s.passStarted();
    s.passEnded(true);
    s.operationEnded(1, true);
    expect(s.dirty).toBe(true);
    expect(s.reconciling).toBe(true);
  });

  it('remembers the newest saved revision, never going back', () => {
    const s = new BookingState('b1');
    s.savedAt(3);
    s.savedAt(2);
    expect(s.savedRevision).toBe(3);
    expect(s.carry().savedRevision).toBe(3);
  });
});

describe('BookingState: an erased participant', () => {
  it('leaves the booking and its calendars; the others stay and are written again', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    const ops = s.plan([target('tutor-1', 'c-tutor'), target('client-1', 'c-client')], NOW);
    for (const op of ops) s.markUpserted(op, s.revision, `ev-${op.userId}`, 'primary', NOW);
    expect(s.eraseParticipant('tutor-1')).toBe(true);
    expect(s.participantUserIds).toEqual(['client-1']);
    expect(JSON.stringify(s.view())).not.toContain('tutor-1');
    expect(JSON.stringify(s.carry())).not.toContain('ada@example.com');
    // The client's event is written again (the tutor no longer shows in it); nothing is planned for the tutor.
    const next = s.plan([target('client-1', 'c-client')], NOW);
    expect(next.map((op) => [op.kind, op.userId])).toEqual([['upsert', 'client-1']]);
  });

  it('keeps no record of an operation of the erased user that was in flight when they were erased', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    const ops = s.plan([target('tutor-1', 'c-tutor'), target('client-1', 'c-client')], NOW);
    const tutorOp = ops.find((op) => op.userId === 'tutor-1')!;
    expect(s.eraseParticipant('tutor-1')).toBe(true);
    // The tutor's write ends after the erasure, as it succeeded, failed or found the account gone.
    s.markUpserted(tutorOp, 1, 'ev-tutor', 'primary', NOW);
    s.markFailed(tutorOp, 'boom');
    s.markSkipped(tutorOp, 'The calendar connection was removed.');
    expect(JSON.stringify(s.view())).not.toContain('tutor-1');
    expect(JSON.stringify(s.carry())).not.toContain('tutor-1');
    // Named again by a later confirm, the user is a participant like any other.
    s.confirm({ version: 2, booking: details() });
    s.markUpserted(tutorOp, s.revision, 'ev-tutor', 'primary', NOW);
    expect(s.view()!.calendars.map((c) => c.userId)).toContain('tutor-1');
  });

  it('changes nothing for a user who is not in the booking', () => {
    const s = new BookingState('b1');
    s.confirm({ version: 1, booking: details() });
    const revision = s.revision;
    expect(s.eraseParticipant('someone-else')).toBe(false);
    expect(s.revision).toBe(revision);
  });

  it('cancels the booking when the erased user was its only participant', () => {
    const s = new BookingState('b1');
    s.confirm({
      version: 1,
      booking: details({ participants: [{ userId: 'solo', role: 'tutor', name: 'Sol', email: 'sol@example.com' }] }),
    });
    expect(s.eraseParticipant('solo')).toBe(true);
    expect(s.desired?.status).toBe('cancelled');
    expect(s.desired?.details.participants).toEqual([]);
  });
});
