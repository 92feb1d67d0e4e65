import { describe, expect, it } from 'vitest';
import { confirmSignal, stateQuery } from '../../src/workflows/messages';
import { bookingStubs, calendarOf, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

const T1 = '2030-04-01T09:00:00.000Z';

describe('booking workflow: selective sync', () => {
  it('writes nothing for a participant with sync off, and a later confirm flips who gets the event', async () => {
    const tutor = participant('tutor', 'tutor');
    const client = participant('client');
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t'), target('client', 'conn-c')]), async (env) => {
      const handle = await startBooking(env, env.id('selective'), {
        version: 1,
        booking: details([tutor, { ...client, sync: false }], T1, hourAfter(T1)),
      });
      const first = await viewWhen(handle, (v) => v.syncState === 'synced', 'first sync');
      expect(calendarOf(first, 'conn-t')?.state).toBe('synced');
      expect(calendarOf(first, 'conn-c')).toBeUndefined();
      expect(first.calendars.find((c) => c.userId === 'client')).toMatchObject({ state: 'skipped', connectionId: null });
      expect(env.callsOf('upsertCalendarEvent').map((c) => c.input.connectionId)).toEqual(['conn-t']);

      // A signal whose flag is not a boolean is refused like any malformed signal: nothing changes.
      await handle.signal(confirmSignal, {
        version: 2,
        booking: details([tutor, { ...client, sync: 'yes' as unknown as boolean }], T1, hourAfter(T1)),
      });
      expect(await handle.query(stateQuery)).toMatchObject({ version: 1 });

      await handle.signal(confirmSignal, {
        version: 3,
        booking: details(
          [
            { ...tutor, sync: false },
            { ...client, sync: true },
          ],
          T1,
          hourAfter(T1),
        ),
      });
      const flipped = await viewWhen(handle, (v) => v.version === 3 && v.syncState === 'synced', 'the flip synced');
      expect(calendarOf(flipped, 'conn-t')?.state).toBe('deleted');
      expect(calendarOf(flipped, 'conn-c')?.state).toBe('synced');
      expect(env.callsOf('deleteCalendarEvent').map((c) => [c.input.connectionId, c.input.knownExternalEventId])).toEqual([
        ['conn-t', 'event-conn-t'],
      ]);
      expect(env.callsOf('upsertCalendarEvent').map((c) => c.input.connectionId)).toEqual(['conn-t', 'conn-c']);
    });
  });
});
