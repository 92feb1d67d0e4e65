import { describe, expect, it } from 'vitest';
import { MAX_VERSION } from '../../src/domain/booking-input-schemas';
import type { BookingWorkflowInput } from '../../src/workflows/booking';
import {
  cancelSignal,
  confirmSignal,
  disconnectSignal,
  eraseParticipantSignal,
  refreshBusySignal,
  rescheduleSignal,
  stateQuery,
  syncConnectionSignal,
} from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { bookingStubs, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { connectionStubs, startConnection } from './support/connection-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

// Anyone who can reach Temporal can signal these workflows, not only the API. Each signal is
// parsed with the schema the API uses; what does not parse is logged and ignored, and the
// workflow carries on with the next well-formed signal. The signals below bypass the typed
// signal definitions on purpose (`as never`): they are what a forger would send.

const T1 = '2030-05-01T09:00:00.000Z';
const T2 = '2030-05-02T09:00:00.000Z';
const T3 = '2030-05-03T09:00:00.000Z';

describe('workflows ignore signals and inputs that do not parse', () => {
  it('booking: a huge version, missing fields, wrong types and extra keys change nothing; a good signal after them applies', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t'), target('client', 'conn-c')]), async (env) => {
      const handle = await startBooking(env, env.id('forged'), { version: 1, booking: details(people, T1, hourAfter(T1), 'Maths') });
      const before = await viewWhen(handle, (v) => v.syncState === 'synced', 'first sync');

      const forged: Array<[{ name: string }, unknown]> = [
        // A version no later change can beat would freeze the booking.
        [confirmSignal, { version: 1e300, booking: details(people, T3, hourAfter(T3), 'Forged') }],
        [rescheduleSignal, { version: MAX_VERSION + 1, start: T3, end: hourAfter(T3) }],
        [rescheduleSignal, { version: Infinity, start: T3, end: hourAfter(T3) }],
        [confirmSignal, { version: 5, booking: { title: 'No times or people' } }],
        [
          confirmSignal,
          { version: 5, booking: { ...details(people, T3, hourAfter(T3), 'Bad e-mail'), participants: [{ ...people[0]!, email: 'x' }] } },
        ],
        [confirmSignal, { version: 5, booking: details(people, T3, hourAfter(T3), 'Line\r\nInjected: yes') }],
        [
          confirmSignal,
          { version: 5, booking: { ...details(people, T3, hourAfter(T3), 'Bad template'), templates: { tutor: { title: '{{venue}}' } } } },
        ],
        [rescheduleSignal, { version: 5, start: 42, end: hourAfter(T3) }],
        [rescheduleSignal, { version: 5, start: hourAfter(T3), end: T3 }],
        [rescheduleSignal, { version: 5, start: T3, end: hourAfter(T3), timeZone: 'Mars/Olympus' }],
        // A cancel applies whatever its version: a malformed one must not cancel.
        [cancelSignal, { reason: { nested: 'object' } }],
        [cancelSignal, { version: 2, reason: 'ok', sneaky: true }],
        [cancelSignal, null],
        // Forgetting a participant takes exactly their id: anything else must not drop one.
        [eraseParticipantSignal, { userId: 'tutor', also: 'client' }],
        [eraseParticipantSignal, { userId: ['tutor'] }],
        [eraseParticipantSignal, null],
      ];
      for (const [signal, args] of forged) await handle.signal(signal.name, args);
      await handle.signal(syncConnectionSignal, { connectionId: 'bad id with spaces' });

      // Signals are applied in order: once this one shows, every forged one before it was seen.
      await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
      const after = await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the well-formed reschedule synced');
      expect(after).toMatchObject({ status: 'confirmed', version: 2, title: 'Maths', start: T2, timeZone: 'UTC' });
      expect(after.participants).toEqual(before.participants);
      const writes = env.callsOf('upsertCalendarEvent').map((c) => [c.input.connectionId, c.input.revision, c.input.booking.title]);
      expect(writes.sort()).toEqual([
        ['conn-c', 1, 'Maths'],
        ['conn-c', 2, 'Maths'],
        ['conn-t', 1, 'Maths'],
        ['conn-t', 2, 'Maths'],
      ]);
      expect(env.callsOf('deleteCalendarEvent')).toEqual([]);
      expect(await handle.query(stateQuery)).toMatchObject({ status: 'confirmed', version: 2 });
    });
  });

  it('booking: a start input that does not parse fails the run at once, before any activity', async () => {
    const people = [participant('tutor', 'tutor')];
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t')]), async (env) => {
      const bookingId = env.id('bad-start');
      const handle = await startBooking(env, bookingId, { version: 1, booking: details(people, T1, hourAfter(T1)) }, {
        carried: { desired: null, revision: -1, calendars: 'none', savedRevision: 0 },
      } as unknown as Partial<BookingWorkflowInput>);
      await expect(handle.result()).rejects.toMatchObject({
        cause: { type: 'InvalidWorkflowInput', message: 'the booking workflow input does not match its schema' },
      });
      expect(env.calls).toEqual([]);
    });
  });

  it('connection: malformed disconnects neither disconnect nor remove events; a well-formed one after them does', async () => {
    await runWorkflowWorker(connectionStubs(), async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 1 ? true : undefined), 'the first busy read');

      for (const args of [null, {}, { removeEvents: 'yes' }, { removeEvents: 1 }, { removeEvents: true, alsoErase: true }]) {
        await handle.signal(disconnectSignal, args as never);
      }
      // Still connected: its busy-time loop still answers (a disconnect ends it).
      await handle.signal(refreshBusySignal);
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 2 ? true : undefined), 'a busy read after them');
      expect(env.callsOf('eventsToRemove')).toEqual([]);
      expect(env.callsOf('finalizeDisconnect')).toEqual([]);

      await handle.signal(disconnectSignal, { removeEvents: true });
      await handle.result();
      expect(env.callsOf('eventsToRemove')).toHaveLength(1);
      expect(env.callsOf('finalizeDisconnect')).toHaveLength(1);
    });
  });
});
