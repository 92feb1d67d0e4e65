import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType } from '../../src/domain/failures';
import { rescheduleSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { bookingStubs, calendarOf, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { Gate, runWorkflowWorker } from './support/workflow-worker';

const T1 = '2030-03-01T10:00:00.000Z';
const T2 = '2030-03-02T10:00:00.000Z';
const T3 = '2030-03-03T10:00:00.000Z';

describe('booking workflow: one lane per calendar', () => {
  it('writes each calendar in order, one write at a time, while a slow calendar holds back no other', async () => {
    const slowFirstWrite = new Gate();
    const inFlight = new Map<string, number>();
    let mostInFlight = 0;
    const tutor = participant('tutor', 'tutor');
    const client = participant('client');
    const targets = [target('tutor', 'conn-slow'), target('client', 'conn-fast')];
    const stubs = bookingStubs(targets, {
      upsertCalendarEvent: async (input) => {
        const running = (inFlight.get(input.connectionId) ?? 0) + 1;
        inFlight.set(input.connectionId, running);
        mostInFlight = Math.max(mostInFlight, running);
        try {
          if (input.connectionId === 'conn-slow' && input.revision === 1) await slowFirstWrite.pass();
          return {
            externalEventId: `event-${input.connectionId}`,
            calendarId: 'primary',
            action: input.knownExternalEventId ? 'updated' : 'created',
          };
        } finally {
          inFlight.set(input.connectionId, running - 1);
        }
      },
    });

    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startBooking(env, env.id('lanes'), { version: 1, booking: details([tutor, client], T1, hourAfter(T1)) });
      const writesTo = (connectionId: string) =>
        env
          .callsOf('upsertCalendarEvent')
          .filter((c) => c.input.connectionId === connectionId)
          .map((c) => c.input);

      await eventually(async () => (writesTo('conn-slow').length === 1 ? true : undefined), 'the slow calendar write to begin');
      await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
      await handle.signal(rescheduleSignal, { version: 3, start: T3, end: hourAfter(T3) });

      // The fast calendar reaches the newest time while the slow one still holds its first write.
      const whileBlocked = await viewWhen(
        handle,
        (v) => calendarOf(v, 'conn-fast')?.state === 'synced' && v.start === T3 && writesTo('conn-fast').at(-1)?.booking.start === T3,
        'the fast calendar at the newest time',
      );
      expect(calendarOf(whileBlocked, 'conn-slow')?.state).toBe('pending');
      expect(writesTo('conn-slow')).toHaveLength(1);

      slowFirstWrite.open();
      const done = await viewWhen(handle, (v) => v.syncState === 'synced', 'both calendars synced');
      expect(done.calendars.map((c) => [c.connectionId, c.state])).toEqual(
        expect.arrayContaining([
          ['conn-slow', 'synced'],
          ['conn-fast', 'synced'],
        ]),
      );

      // The slow calendar caught up in one write to the newest revision, after its first one.
      const slow = writesTo('conn-slow');
      expect(slow.map((w) => [w.revision, w.booking.start])).toEqual([
        [1, T1],
        [3, T3],
      ]);
      expect(slow[1]?.knownExternalEventId).toBe('event-conn-slow');
      const fastRevisions = writesTo('conn-fast').map((w) => w.revision);
      expect(fastRevisions).toEqual([...fastRevisions].sort((a, b) => a - b));
      expect(fastRevisions.at(-1)).toBe(3);
      expect(mostInFlight).toBe(1);
    });
  });

  it('keeps writing one calendar while another fails on every attempt, and records a refused one as failed', async () => {
    const targets = [target('tutor', 'conn-ok'), target('client', 'conn-down'), target('third', 'conn-refused')];
    const stubs = bookingStubs(targets, {
      upsertCalendarEvent: async (input) => {
        if (input.connectionId === 'conn-down') throw new Error('provider unavailable');
        if (input.connectionId === 'conn-refused')
          throw ApplicationFailure.nonRetryable('calendar not found', FailureType.ProviderRejected);
        return { externalEventId: `event-${input.connectionId}`, calendarId: 'primary', action: 'created' };
      },
      recordNotification: async () => ({ enabled: false, retryForMs: 0 }),
    });

    await runWorkflowWorker(stubs, async (env) => {
      const people = [participant('tutor', 'tutor'), participant('client'), participant('third')];
      const handle = await startBooking(env, env.id('down'), { version: 1, booking: details(people, T1, hourAfter(T1)) });
      await viewWhen(handle, (v) => calendarOf(v, 'conn-ok')?.state === 'synced', 'the working calendar synced');
      await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });

      const view = await viewWhen(
        handle,
        (v) =>
          v.start === T2 &&
          calendarOf(v, 'conn-ok')?.state === 'synced' &&
          env.callsOf('upsertCalendarEvent').some((c) => c.input.connectionId === 'conn-ok' && c.input.revision === 2) &&
          env.callsOf('upsertCalendarEvent').filter((c) => c.input.connectionId === 'conn-down').length >= 2,
        'the working calendar at the new time, the other retried',
      );
      expect(calendarOf(view, 'conn-down')?.state).toBe('pending');
      expect(calendarOf(view, 'conn-refused')).toMatchObject({ state: 'failed', lastError: 'calendar not found' });
      expect(view.syncState).toBe('degraded');
      const downAttempts = env.callsOf('upsertCalendarEvent').filter((c) => c.input.connectionId === 'conn-down');
      // Still its first operation (revision 1), retried by Temporal: the lane waits for it alone.
      expect(new Set(downAttempts.map((c) => c.input.revision))).toEqual(new Set([1]));
      const failedNotice = env.callsOf('recordNotification').find((c) => c.input.type === 'booking.sync_failed');
      expect(failedNotice?.input.data).toMatchObject({
        connectionId: 'conn-refused',
        operation: 'upsert',
        reason: FailureType.ProviderRejected,
      });
    });
  });
});
