import { describe, expect, it } from 'vitest';
import { disconnectSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { connectionStubs, startConnection, type ConnectionHandle } from './support/connection-fixtures';
import { Gate, runWorkflowWorker, type WorkflowTestEnv } from './support/workflow-worker';

/** Resolves with the workflow's result, or rejects if it has not ended within `ms`. */
async function endsWithin(handle: ConnectionHandle, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`the workflow did not end within ${ms} ms`)), ms)),
  );
  try {
    await Promise.race([handle.result(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The runs the workflow went through, from its busy-time setting reads (one per run). */
const runs = (env: WorkflowTestEnv) => env.callsOf('busyTimeSettings').length;

describe('connection workflow: disconnect and continue-as-new', () => {
  it('does not continue as new with a disconnect that arrived during a busy read: it removes events and finalises', async () => {
    const thirdRead = new Gate();
    let reads = 0;
    const stubs = connectionStubs({
      refreshBusyTimes: async () => {
        reads += 1;
        if (reads === 3) await thirdRead.pass();
        return { mode: 'full', cursorExpired: false, items: 0, edits: [], conflicts: [] };
      },
    });
    await runWorkflowWorker(stubs, async (env) => {
      // Past the limit after every read: each run continues as new once its read is done.
      const handle = await startConnection(env, { maxHistoryEvents: 1 });
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 3 ? true : undefined), 'the third run reading');
      expect(runs(env)).toBe(3);

      await handle.signal(disconnectSignal, { removeEvents: true });
      thirdRead.open();
      await endsWithin(handle, 10_000);

      expect(runs(env)).toBe(3);
      expect(env.callsOf('refreshBusyTimes')).toHaveLength(3);
      expect(env.callsOf('eventsToRemove')).toHaveLength(1);
      expect(env.callsOf('finalizeDisconnect')).toHaveLength(1);
      const lastClose = env.callsOf('closePushChannels').at(-1);
      expect(lastClose?.input.keep).toBeUndefined();
    });
  });

  // The disconnect lands at an arbitrary point of a run that is about to continue as new (the
  // previous test pins the one point the workflow itself must guard): whichever run receives it,
  // the chain must end.
  it('ends on a disconnect sent while it continues as new after every read', async () => {
    await runWorkflowWorker(connectionStubs(), async (env) => {
      const handle = await startConnection(env, { maxHistoryEvents: 1 });
      await eventually(async () => (runs(env) >= 4 ? true : undefined), 'a few runs');

      await handle.signal(disconnectSignal, { removeEvents: false });
      await endsWithin(handle, 10_000);
      expect(env.callsOf('finalizeDisconnect')).toHaveLength(1);
      expect(env.callsOf('eventsToRemove')).toHaveLength(0);
    });
  });
});
