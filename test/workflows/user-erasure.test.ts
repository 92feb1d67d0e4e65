import { describe, expect, it } from 'vitest';
import { calendarAccountWorkflowId, userErasureWorkflowId } from '../../src/workflows/messages';
import type { userErasureWorkflow, UserErasureInput } from '../../src/workflows/user-erasure';
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
