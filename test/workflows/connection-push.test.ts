import { describe, expect, it } from 'vitest';
import { renewPushSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { connectionStubs, startConnection } from './support/connection-fixtures';
import { runWorkflowWorker, type ActivityStubs } from './support/workflow-worker';

/** Opens channels named ch-1, ch-2, … that expire `lifetimeMs` after opening; records each expiry. */
function channels(lifetimeMs: number): { stubs: ActivityStubs; expiries: number[] } {
  const expiries: number[] = [];
  return {
    expiries,
    stubs: connectionStubs({
      openPushChannel: async () => {
        const expiresAtMs = Date.now() + lifetimeMs;
        expiries.push(expiresAtMs);
        return { opened: true, channelId: `ch-${expiries.length}`, expiresAtMs };
      },
    }),
  };
}

describe('connection workflow: push channels', () => {
  it('replaces a channel when a fifth of its life is left, and closes the others once a new one is open', async () => {
    const lifetimeMs = 8_000;
    const { stubs, expiries } = channels(lifetimeMs);
    await runWorkflowWorker(stubs, async (env) => {
      await startConnection(env);
      await eventually(async () => (env.callsOf('openPushChannel').length >= 2 ? true : undefined), 'a second channel', 20_000);
      const [first, second] = env.callsOf('openPushChannel');
      const gap = second!.at - first!.at;
      expect(gap).toBeGreaterThanOrEqual(0.8 * lifetimeMs - 250);
      expect(second!.at).toBeLessThan(expiries[0]!);

      await eventually(async () => (env.callsOf('closePushChannels').length >= 2 ? true : undefined), 'the second close');
      const closes = env.callsOf('closePushChannels').map((c) => c.input.keep);
      expect(closes.slice(0, 2)).toEqual(['ch-1', 'ch-2']);
      expect(env.callsOf('closePushChannels')[1]!.at).toBeGreaterThanOrEqual(second!.at);
    });
  });

  it('opens a new channel at once when asked, long before the current one is due for renewal', async () => {
    const { stubs } = channels(60_000);
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('closePushChannels').length >= 1 ? true : undefined), 'the first channel in place');

      // The channel is due for renewal in 48 s: the signal replaces it now.
      const asked = Date.now();
      await handle.signal(renewPushSignal);
      await eventually(async () => (env.callsOf('closePushChannels').length >= 2 ? true : undefined), 'the second channel in place');
      expect(env.callsOf('openPushChannel')).toHaveLength(2);
      expect(env.callsOf('openPushChannel')[1]!.at - asked).toBeLessThan(3_000);
      expect(env.callsOf('closePushChannels').map((c) => c.input.keep)).toEqual(['ch-1', 'ch-2']);
    });
  });
});
