import { describe, expect, it } from 'vitest';
import { calendarAccountWorkflowId, eraseParticipantSignal, userErasureWorkflowId } from '../../src/workflows/messages';
import type { userErasureWorkflow, UserErasureInput } from '../../src/workflows/user-erasure';
import { bookingStubs, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { connectionStubs, startConnection } from './support/connection-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

describe('user erasure workflow', () => {
  it('disconnects every account (a running workflow signalled, an ended one started again), waits for both, then erases the rows', async () => {
    const finalized = new Set<string>();
    let live: string[] = [];
    const stubs = connectionStubs({
      finalizeDisconnect: async (input) => {
        finalized.add(input.connectionId);
      },
      beginUserErasure: async () => undefined,
      stopUserAccounts: async () => live,
      userAccountsLeft: async () => live.filter((id) => !finalized.has(id)),
      // No booking workflow runs for this one: the signal fails and the erasure goes on.
      userBookingIds: async () => ['bk-not-running'],
      eraseUserRows: async () => ({ connections: 2, syncLog: 5 }),
    });
    await runWorkflowWorker(stubs, async (env) => {
      const running = env.id('conn');
      const ended = env.id('conn');
      live = [running, ended];
      await startConnection(env, { connectionId: running, userId: 'user-x' });
      const input: UserErasureInput = { userId: 'user-x', subject: { keyId: 'k1', hash: env.id('hash') }, removeEvents: true };
      const handle = env.track(
        await env.client.workflow.start<typeof userErasureWorkflow>('userErasureWorkflow', {
          workflowId: userErasureWorkflowId(input.subject.hash),
          taskQueue: env.taskQueue,
          args: [input],
        }),
      );
      // The ended account's workflow is started again (by the erasure) so that it disconnects.
      env.track(env.client.workflow.getHandle(calendarAccountWorkflowId(ended)));

      const result = await handle.result();
      expect(result).toEqual({ connections: 2, counts: { connections: 2, syncLog: 5 } });
      expect([...finalized].sort()).toEqual([running, ended].sort());
      // Events were removed first (removeEvents), for both accounts.
      expect(new Set(env.callsOf('eventsToRemove').map((c) => c.input.connectionId))).toEqual(new Set([running, ended]));
      // Rows go only after every disconnect finished.
      const erasedAt = env.callsOf('eraseUserRows')[0]!.at;
      for (const call of env.callsOf('finalizeDisconnect')) expect(call.at).toBeLessThanOrEqual(erasedAt);
      expect(env.callsOf('eraseUserRows')).toHaveLength(1);
    });
  });

  it('with nothing to disconnect, erases the rows at once', async () => {
    const stubs = connectionStubs({
      beginUserErasure: async () => undefined,
      stopUserAccounts: async () => [],
      userAccountsLeft: async () => [],
      userBookingIds: async () => [],
      eraseUserRows: async () => ({}),
    });
    await runWorkflowWorker(stubs, async (env) => {
      const input: UserErasureInput = { userId: 'user-y', subject: { keyId: 'k1', hash: env.id('hash') }, removeEvents: false };
      const handle = env.track(
        await env.client.workflow.start<typeof userErasureWorkflow>('userErasureWorkflow', {
          workflowId: userErasureWorkflowId(input.subject.hash),
          taskQueue: env.taskQueue,
          args: [input],
        }),
      );
      expect(await handle.result()).toEqual({ connections: 0, counts: {} });
      expect(env.callsOf('beginUserErasure')[0]!.input).toEqual({ subject: input.subject, removeEvents: false });
    });
  });
});

describe('booking workflow: an erased participant', () => {
  it("forgets them and writes the other participant's event again; nothing is deleted or written for them", async () => {
    const start = '2030-06-01T09:00:00.000Z';
    const targets = [target('tutor', 'conn-t'), target('client', 'conn-c')];
    await runWorkflowWorker(bookingStubs(targets), async (env) => {
      const people = [participant('tutor', 'tutor'), participant('client')];
      const handle = await startBooking(env, env.id('erase'), { booking: details(people, start, hourAfter(start)) });
      await viewWhen(handle, (v) => v.syncState === 'synced' && v.calendars.length === 2, 'first sync');
      // The erasure deleted the tutor's accounts before telling the booking.
      targets.splice(0, 1);
      await handle.signal(eraseParticipantSignal, { userId: 'tutor' });
      const after = await viewWhen(
        handle,
        (v) => v.syncState === 'synced' && v.participants.length === 1 && env.callsOf('upsertCalendarEvent').length === 3,
        'the client rewritten',
      );
      expect(after.participants.map((p) => p.userId)).toEqual(['client']);
      expect(after.calendars.map((c) => c.userId)).toEqual(['client']);
      const writes = env.callsOf('upsertCalendarEvent').map((c) => [c.input.connectionId, c.input.revision]);
      expect(writes.sort()).toEqual([
        ['conn-c', 1],
        ['conn-c', 2],
        ['conn-t', 1],
      ]);
      expect(env.callsOf('deleteCalendarEvent')).toEqual([]);
    });
  });
});
