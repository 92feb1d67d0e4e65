import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually';
import type { SendInvitationInput } from '../../src/activities';
import type { CalendarTarget } from '../../src/domain/booking';
import type { InvitationMode } from '../../src/domain/invitations';
import { cancelSignal, confirmSignal, rescheduleSignal, stateQuery, syncConnectionSignal } from '../../src/workflows/messages';
import { bookingStubs, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { runWorkflowWorker, type ActivityStubs } from './support/workflow-worker';

const T1 = '2030-04-01T09:00:00.000Z';
const T2 = '2030-04-02T09:00:00.000Z';

/** The booking's database side with invitations on; `targets` may change between passes. */
function invitationStubs(targets: () => CalendarTarget[], mode: InvitationMode, overrides: ActivityStubs = {}): ActivityStubs {
  return bookingStubs([], {
    prepareFirstReconcile: async () => ({ prior: null, targets: { calendars: targets(), invitations: mode } }),
    prepareReconcile: async () => ({ calendars: targets(), invitations: mode }),
    sendInvitation: async () => ({ ok: true, action: 'sent' }),
    ...overrides,
  });
}

const mails = (calls: Array<{ input: SendInvitationInput }>) =>
  calls.map((c) => [c.input.userId, c.input.method, c.input.revision, c.input.email]);

describe('booking workflow: e-mail invitations', () => {
  it('mails a participant without a calendar once per change: REQUEST on confirm and reschedule, CANCEL on cancel, duplicates ignored', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    await runWorkflowWorker(
      invitationStubs(() => [target('tutor', 'conn-t')], 'unconnected'),
      async (env) => {
        const handle = await startBooking(env, env.id('invite'), { version: 1, booking: details(people, T1, hourAfter(T1)) });
        const first = await viewWhen(handle, (v) => v.syncState === 'synced', 'the confirm synced');
        expect(first.calendars).toContainEqual(
          expect.objectContaining({ userId: 'client', connectionId: null, provider: 'email', state: 'synced' }),
        );

        // Duplicates of the confirm change nothing: no second mail.
        await handle.signal(confirmSignal, { version: 1, booking: details(people, T1, hourAfter(T1)) });
        await handle.signal(confirmSignal, { version: 1, booking: details(people, T1, hourAfter(T1)) });
        await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
        await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
        await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the reschedule synced');
        await handle.signal(cancelSignal, { version: 3 });
        await handle.signal(cancelSignal, { version: 3 });
        const result = await handle.result();

        expect(result?.calendars).toContainEqual(expect.objectContaining({ userId: 'client', provider: 'email', state: 'deleted' }));
        expect(mails(env.callsOf('sendInvitation'))).toEqual([
          ['client', 'REQUEST', 1, 'client@example.test'],
          ['client', 'REQUEST', 2, 'client@example.test'],
          ['client', 'CANCEL', 3, 'client@example.test'],
        ]);
        expect(env.callsOf('sendInvitation')[1]!.input.booking.start).toBe(T2);
      },
    );
  });

  it('stops mailing a participant who connects a calendar: one CANCEL withdraws the invitation, the calendar gets the event', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    let targets = [target('tutor', 'conn-t')];
    await runWorkflowWorker(
      invitationStubs(() => targets, 'unconnected'),
      async (env) => {
        const handle = await startBooking(env, env.id('connect-later'), { version: 1, booking: details(people, T1, hourAfter(T1)) });
        await viewWhen(handle, (v) => v.syncState === 'synced', 'the confirm synced');

        targets = [target('tutor', 'conn-t'), target('client', 'conn-c')];
        await handle.signal(syncConnectionSignal, { connectionId: 'conn-c' });
        await viewWhen(
          handle,
          (v) => v.syncState === 'synced' && v.calendars.some((c) => c.connectionId === 'conn-c' && c.state === 'synced'),
          "the client's calendar written",
        );
        await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
        await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the reschedule synced');

        expect(mails(env.callsOf('sendInvitation'))).toEqual([
          ['client', 'REQUEST', 1, 'client@example.test'],
          ['client', 'CANCEL', 1, 'client@example.test'],
        ]);
        const clientWrites = env.callsOf('upsertCalendarEvent').filter((c) => c.input.connectionId === 'conn-c');
        expect(clientWrites.map((c) => c.input.revision)).toEqual([1, 2]);
        const view = await handle.query(stateQuery);
        expect(view?.calendars).toContainEqual(expect.objectContaining({ userId: 'client', provider: 'email', state: 'deleted' }));
      },
    );
  });

  it('with INVITATIONS=all mails every participant; a permanent refusal shows as failed and is not retried until the booking changes', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    const stubs = invitationStubs(() => [target('tutor', 'conn-t')], 'all', {
      sendInvitation: async (input) =>
        input.userId === 'client' && input.revision === 1
          ? { ok: false, message: 'The mail server refused the invitation (SMTP EENVELOPE 550).' }
          : { ok: true, action: 'sent' },
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startBooking(env, env.id('invite-all'), { version: 1, booking: details(people, T1, hourAfter(T1)) });
      const failed = await viewWhen(handle, (v) => v.syncState === 'degraded', 'the refusal recorded');
      expect(failed.calendars).toContainEqual(
        expect.objectContaining({ userId: 'client', provider: 'email', state: 'failed', lastError: expect.stringContaining('550') }),
      );
      expect(failed.calendars).toContainEqual(expect.objectContaining({ userId: 'tutor', provider: 'email', state: 'synced' }));

      await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
      await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the reschedule mailed');
      expect(mails(env.callsOf('sendInvitation')).sort()).toEqual(
        [
          ['client', 'REQUEST', 1, 'client@example.test'],
          ['client', 'REQUEST', 2, 'client@example.test'],
          ['tutor', 'REQUEST', 1, 'tutor@example.test'],
          ['tutor', 'REQUEST', 2, 'tutor@example.test'],
        ].sort(),
      );
    });
  });

  it('carries what each recipient was mailed into the next run: continue-as-new mails nothing again', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    await runWorkflowWorker(
      invitationStubs(() => [target('tutor', 'conn-t')], 'unconnected'),
      async (env) => {
        const handle = await startBooking(
          env,
          env.id('invite-can'),
          { version: 1, booking: details(people, T1, hourAfter(T1)) },
          { maxHistoryEvents: 12 },
        );
        const firstRunId = (await handle.describe()).runId;
        await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 'a second run');
        const carried = await viewWhen(handle, (v) => v.syncState === 'synced', 'the second run settled');
        expect(carried.calendars).toContainEqual(expect.objectContaining({ userId: 'client', provider: 'email', state: 'synced' }));

        await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
        await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the reschedule synced');
        expect(mails(env.callsOf('sendInvitation'))).toEqual([
          ['client', 'REQUEST', 1, 'client@example.test'],
          ['client', 'REQUEST', 2, 'client@example.test'],
        ]);
      },
    );
  });
});
