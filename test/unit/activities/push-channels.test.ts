import { describe, expect, it } from 'vitest';
import { createPushChannelActivities } from '../../../src/activities/push-channels';
import { ProviderError } from '../../../src/providers';
import { accountRow, activityEnv, channelSecrets, failureOf, fakeWorld, HOUR, NOW } from './fakes';

const INPUT = { connectionId: 'conn-1' };

function setup(options: { push?: boolean; ttlMs?: number } = {}, row = accountRow()) {
  const world = fakeWorld(options);
  if (world.deps.push && options.ttlMs) world.deps.push.ttlMs = options.ttlMs;
  world.calendarAccounts.put(row);
  return { ...world, activities: createPushChannelActivities(world.deps) };
}

describe('openPushChannel', () => {
  it('opens a channel to the provider route with a secret for its id, and records it', async () => {
    const { activities, pushSupport, channels } = setup({ ttlMs: 2 * HOUR });
    const result = await activityEnv().run(activities, 'openPushChannel', INPUT);

    if (!result.opened) throw new Error('expected a channel');
    expect(result.expiresAtMs).toBe(NOW + 2 * HOUR);
    expect(pushSupport.opened).toEqual([
      {
        channelId: result.channelId,
        address: 'https://sync.example.com/v1/webhooks/google',
        lifecycleAddress: 'https://sync.example.com/v1/webhooks/google/lifecycle',
        secret: channelSecrets.secretFor(result.channelId),
        expiresAt: new Date(NOW + 2 * HOUR),
      },
    ]);
    expect(await channels.listOpen('conn-1')).toEqual([
      {
        id: result.channelId,
        connectionId: 'conn-1',
        provider: 'google',
        externalId: `sub-${result.channelId}`,
        resourceId: null,
        expiresAt: new Date(NOW + 2 * HOUR),
      },
    ]);
  });

  it('asks for no longer than the provider allows', async () => {
    const { activities, pushSupport } = setup({ ttlMs: 30 * 24 * HOUR });
    await activityEnv().run(activities, 'openPushChannel', INPUT);

    expect(pushSupport.opened.map((r) => r.expiresAt)).toEqual([new Date(NOW + pushSupport.maxLifetimeMs)]);
  });

  it('opens nothing when push is off here or the provider has none', async () => {
    const off = setup({ push: false });
    const caldav = setup({}, accountRow({ provider: 'caldav' }));

    expect(await activityEnv().run(off.activities, 'openPushChannel', INPUT)).toEqual({ opened: false });
    expect(await activityEnv().run(caldav.activities, 'openPushChannel', INPUT)).toEqual({ opened: false });
    expect([off.pushSupport.opened, off.channels.rows.size, caldav.channels.rows.size]).toEqual([[], 0, 0]);
  });

  it('retries when the opened channel cannot be recorded, and maps a provider refusal', async () => {
    const { activities, pushSupport, channels } = setup();
    channels.failAddWith = new Error('connection terminated');
    const unrecorded = await failureOf(activityEnv().run(activities, 'openPushChannel', INPUT));
    channels.failAddWith = undefined;
    pushSupport.onOpen = () => Promise.reject(new ProviderError('rejected', 'graph 400: notification URL not reachable'));
    const refused = await failureOf(activityEnv().run(activities, 'openPushChannel', INPUT));

    expect([unrecorded.nonRetryable, unrecorded.message]).toEqual([false, 'connection terminated']);
    expect([refused.type, refused.nonRetryable]).toEqual(['ProviderRejected', true]);
    expect(channels.rows.size).toBe(0);
  });
});

describe('closePushChannels', () => {
  it('stops every open channel of the account but the one to keep, and marks them closed', async () => {
    const { activities, pushSupport, channels } = setup();
    const channel = { connectionId: 'conn-1', provider: 'google', expiresAt: new Date(NOW + HOUR) };
    await channels.add({ ...channel, id: 'ch-old', externalId: 'ext-old', resourceId: 'res-old' });
    await channels.add({ ...channel, id: 'ch-new', externalId: 'ext-new', resourceId: null });
    const result = await activityEnv().run(activities, 'closePushChannels', { ...INPUT, keep: 'ch-new' });

    expect(result).toEqual({ closed: 1 });
    expect(pushSupport.closed).toEqual([{ channelId: 'ch-old', externalId: 'ext-old', resourceId: 'res-old' }]);
    expect((await channels.listOpen('conn-1')).map((c) => c.id)).toEqual(['ch-new']);
  });

  it('needs no usable account when nothing is open', async () => {
    const { activities } = setup({}, accountRow({ status: 'disconnected' }));

    expect(await activityEnv().run(activities, 'closePushChannels', INPUT)).toEqual({ closed: 0 });
  });
});
