import { describe, expect, it } from 'vitest';
import { PushNotifications, type PushNotificationsDeps } from '../../src/application/push-notifications';
import { createLogger } from '../../src/logging';

/** Open channels by external id (each named for the account it watches); the secret of a channel is `secret:<id>`. */
function service(opts: { signalFails?: boolean } = {}) {
  const signals: string[] = [];
  const lookups: string[] = [];
  const open = new Set(['g1', 's1', 's2']);
  const deps: PushNotificationsDeps = {
    channels: {
      findOpen: (provider, externalId) => {
        lookups.push(externalId);
        return Promise.resolve(
          open.has(externalId)
            ? { id: externalId, connectionId: `account-${externalId}`, provider, externalId, resourceId: null, expiresAt: new Date(0) }
            : undefined,
        );
      },
    },
    secrets: { matches: (channelId, presented) => presented === `secret:${channelId}` },
    workflows: {
      signalPush: (accountId, request) => {
        if (opts.signalFails) return Promise.reject(new Error('workflow not found'));
        signals.push(`${accountId}:${request}`);
        return Promise.resolve();
      },
    },
    logger: createLogger('silent'),
  };
  return { push: new PushNotifications(deps), signals, lookups };
}

describe('PushNotifications', () => {
  it('Google: a verified change refreshes busy times; the channel confirmation (sync) signals nothing', async () => {
    const { push, signals } = service();
    expect(await push.google({ channelId: 'g1', token: 'secret:g1', resourceState: 'sync' })).toEqual({ ok: true });
    expect(signals).toEqual([]);
    expect(await push.google({ channelId: 'g1', token: 'secret:g1', resourceState: 'exists' })).toEqual({ ok: true });
    expect(signals).toEqual(['account-g1:refresh_busy']);
  });

  it('Google: a wrong token or unknown channel is refused and signals nothing', async () => {
    const { push, signals } = service();
    expect(await push.google({ channelId: 'g1', token: 'secret:other', resourceState: 'exists' })).toEqual({
      ok: false,
      error: 'invalid_channel',
    });
    expect(await push.google({ channelId: undefined, token: undefined, resourceState: 'exists' })).toEqual({
      ok: false,
      error: 'invalid_channel',
    });
    expect(signals).toEqual([]);
  });

  it('Graph: one forged entry refuses the whole delivery, checked no further', async () => {
    const { push, signals, lookups } = service();
    const result = await push.graph('change', [
      { subscriptionId: 's1', clientState: 'secret:s1' },
      { subscriptionId: 's2', clientState: 'forged' },
      { subscriptionId: 's1', clientState: 'secret:s1' },
    ]);
    expect(result).toEqual({ ok: false, error: 'invalid_channel' });
    expect(signals).toEqual([]);
    expect(lookups).toEqual(['s1', 's2']);
  });

  it('Graph lifecycle: a removed or unauthorised subscription is renewed; a missed one reads busy times', async () => {
    const { push, signals } = service();
    const result = await push.graph('lifecycle', [
      { subscriptionId: 's1', clientState: 'secret:s1', lifecycleEvent: 'subscriptionRemoved' },
      { subscriptionId: 's2', clientState: 'secret:s2', lifecycleEvent: 'missed' },
    ]);
    expect(result).toEqual({ ok: true });
    expect(signals).toEqual(['account-s1:renew_push', 'account-s2:refresh_busy']);
  });

  it('a notification for an account whose workflow has ended is accepted', async () => {
    const { push } = service({ signalFails: true });
    expect(await push.graph('change', [{ subscriptionId: 's1', clientState: 'secret:s1' }])).toEqual({ ok: true });
  });
});
