import { describe, expect, it } from 'vitest';
import { cancelSignal, confirmSignal, rescheduleSignal, stateQuery } from '../../src/workflows/messages';
import { bookingStubs, calendarOf, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

const T1 = '2030-04-01T09:00:00.000Z';
const T2 = '2030-04-02T09:00:00.000Z';
const T3 = '2030-04-03T09:00:00.000Z';

describe('booking workflow: late, reordered and duplicated signals', () => {
  it('ignores changes older than the version it holds and duplicates of it: no write, no overwrite', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t'), target('client', 'conn-c')]), async (env) => {
      const handle = await startBooking(env, env.id('stale'), { version: 2, booking: details(people, T2, hourAfter(T2), 'Version two') });
      await viewWhen(handle, (v) => v.syncState === 'synced', 'first sync');

      await handle.signal(rescheduleSignal, { version: 1, start: T1, end: hourAfter(T1) });
      await handle.signal(confirmSignal, { version: 1, booking: details(people, T1, hourAfter(T1), 'Version one') });
      await handle.signal(confirmSignal, { version: 2, booking: details(people, T2, hourAfter(T2), 'Version two') });
      const afterStale = await handle.query(stateQuery);
      expect(afterStale).toMatchObject({ version: 2, title: 'Version two', start: T2, syncState: 'synced' });

      // A newer change still applies, and is the only write since the first sync.
      await handle.signal(rescheduleSignal, { version: 3, start: T3, end: hourAfter(T3) });
      const view = await viewWhen(handle, (v) => v.start === T3 && v.syncState === 'synced', 'the newer change synced');
      expect(view).toMatchObject({ version: 3, title: 'Version two' });
      const writes = env
        .callsOf('upsertCalendarEvent')
        .map((c) => [c.input.connectionId, c.input.revision, c.input.booking.start, c.input.booking.title]);
      expect(writes).toHaveLength(4);
      expect(writes).toEqual(
        expect.arrayContaining([
          ['conn-t', 1, T2, 'Version two'],
          ['conn-c', 1, T2, 'Version two'],
          ['conn-t', 2, T3, 'Version two'],
          ['conn-c', 2, T3, 'Version two'],
        ]),
      );
    });
  });

  it('keeps a cancellation final against later confirms and reschedules, deletes the events and ends', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t'), target('client', 'conn-c')]), async (env) => {
      const handle = await startBooking(env, env.id('cancel'), { version: 1, booking: details(people, T1, hourAfter(T1)) });
      await viewWhen(handle, (v) => v.syncState === 'synced', 'first sync');

      // A cancel whose version is not newer still cancels; newer confirms and reschedules cannot bring it back.
      await handle.signal(cancelSignal, { version: 1, reason: 'tutor ill' });
      await handle.signal(confirmSignal, { version: 5, booking: details(people, T2, hourAfter(T2)) });
      await handle.signal(rescheduleSignal, { version: 6, start: T3, end: hourAfter(T3) });

      const result = await handle.result();
      expect(result).toMatchObject({ status: 'cancelled', cancelReason: 'tutor ill', start: T1 });
      expect(result && calendarOf(result, 'conn-t')?.state).toBe('deleted');
      expect(result && calendarOf(result, 'conn-c')?.state).toBe('deleted');
      const deletes = env.callsOf('deleteCalendarEvent');
      expect(deletes.map((c) => c.input.connectionId).sort()).toEqual(['conn-c', 'conn-t']);
      expect(deletes.every((c) => c.input.knownExternalEventId === `event-${c.input.connectionId}`)).toBe(true);
      const firstDelete = Math.min(...deletes.map((c) => c.at));
      expect(env.callsOf('upsertCalendarEvent').filter((c) => c.at >= firstDelete)).toEqual([]);
    });
  });
});
