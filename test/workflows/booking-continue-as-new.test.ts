import { describe, expect, it } from 'vitest';
import { rescheduleSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { bookingStubs, calendarOf, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

const T1 = '2030-05-01T08:00:00.000Z';
const T2 = '2030-05-02T08:00:00.000Z';

describe('booking workflow: continue-as-new', () => {
  it('carries the booking and what each calendar holds into the next run', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t'), target('client', 'conn-c')]), async (env) => {
      const handle = await startBooking(
        env,
        env.id('can'),
        { version: 1, booking: details(people, T1, hourAfter(T1), 'Carried') },
        { maxHistoryEvents: 12 },
      );
      const firstRunId = (await handle.describe()).runId;

      // The first run's sync takes it past 12 events: it continues as new once idle.
      await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 'a second run');
      const carried = await viewWhen(handle, (v) => v.syncState === 'synced', 'the second run settled');
      expect(carried).toMatchObject({ version: 1, title: 'Carried', start: T1 });
      expect(calendarOf(carried, 'conn-t')).toMatchObject({ state: 'synced', externalEventId: 'event-conn-t' });
      expect(calendarOf(carried, 'conn-c')).toMatchObject({ state: 'synced', externalEventId: 'event-conn-c' });
      // Calendars carried as synced are not written again, and the new run reads no prior state.
      expect(env.callsOf('upsertCalendarEvent')).toHaveLength(2);
      expect(env.callsOf('prepareFirstReconcile')).toHaveLength(1);

      await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
      await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the reschedule synced');
      const later = env
        .callsOf('upsertCalendarEvent')
        .slice(2)
        .map((c) => c.input);
      expect(later.map((w) => [w.connectionId, w.revision, w.knownExternalEventId]).sort()).toEqual([
        ['conn-c', 2, 'event-conn-c'],
        ['conn-t', 2, 'event-conn-t'],
      ]);
    });
  });
});
