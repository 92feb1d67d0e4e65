import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // Polling once an hour: within a test, only a push can bring a change in. Channels live 10 s
  // here (days in production), so a renewal happens during the run.
  h = await startHarness({ PUSH_NOTIFICATIONS: 'on', BUSY_POLL_INTERVAL: '1h', PUSH_CHANNEL_TTL: '10s' });
}, 600_000);
afterAll(async () => {
  await h?.close();
});

type BusyJson = { busy: Array<{ start: string; end: string }> };
const day = new Date(Date.now() + 5 * 86_400_000);
const at = (hour: number) => new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour)).toISOString();
const range = `from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 20 * 86_400_000).toISOString())}`;

function busyBecomes(userId: string, expected: Array<{ start: string; end: string }>): Promise<BusyJson> {
  return eventually(
    async () => {
      const b = (await h.api<BusyJson>('GET', `/v1/users/${userId}/busy?${range}`)).body;
      return JSON.stringify(b.busy) === JSON.stringify(expected) ? b : undefined;
    },
    `busy times of ${userId} to be ${JSON.stringify(expected)}`,
  );
}

/** The first read (at connect) is done: from here on, only a push can bring a change in. */
function firstReadDone(connectionId: string): Promise<true> {
  return eventually(async () => {
    const { rows } = await h.pool.query<{ busy_synced_at: Date | null }>(
      'SELECT max(synced_at) AS busy_synced_at FROM busy_calendars WHERE connection_id = $1',
      [connectionId],
    );
    return rows[0]?.busy_synced_at ? true : undefined;
  }, 'the first busy-time read');
}

describe('push notifications', () => {
  it('Google: a watch channel is opened on connect, a user change arrives by push, the channel is renewed before expiry and stopped on disconnect', async () => {
    const userId = h.id('g');
    const { email, connectionId } = await h.connectGoogle(userId);
    const first = await eventually(async () => (await h.google.listChannels(email)).find((c) => c.state === 'active'), 'a watch channel');
    expect(first.address).toBe(`${h.config.publicBaseUrl}/v1/webhooks/google`);
    await firstReadDone(connectionId);

    const event = await h.google.createUserEvent(email, { summary: 'Dentist', start: { dateTime: at(9) }, end: { dateTime: at(10) } });
    await busyBecomes(userId, [{ start: at(9), end: at(10) }]);
    await h.google.deleteUserEvent(email, event.id);
    await busyBecomes(userId, []);

    // Renewed: a new channel opens before the first one expires, then the first is stopped.
    await eventually(
      async () => {
        const channels = await h.google.listChannels(email);
        const renewed = channels.find((c) => c.id !== first.id && c.state === 'active');
        const old = channels.find((c) => c.id === first.id);
        return renewed && old?.state === 'stopped' ? true : undefined;
      },
      'the channel to be renewed',
      30_000,
    );

    expect((await h.api('DELETE', `/v1/users/${userId}/connections/${connectionId}`)).status).toBe(202);
    await eventually(
      async () => ((await h.google.listChannels(email)).every((c) => c.state !== 'active') ? true : undefined),
      'channels stopped on disconnect',
    );
  });

  it('Outlook: a subscription delivers user changes, is replaced before it expires, recreated when removed, and deleted on disconnect', async () => {
    const userId = h.id('m');
    const { email, connectionId } = await h.connectMicrosoft(userId, `${userId.toLowerCase()}@contoso.test`);
    const first = await eventually(
      async () => (await h.microsoft.listSubscriptions({ account: email })).find((s) => s.status === 'active'),
      'a subscription',
    );
    expect(first.notificationUrl).toBe(`${h.config.publicBaseUrl}/v1/webhooks/microsoft`);
    await firstReadDone(connectionId);

    const utc = (iso: string) => ({ dateTime: iso.replace(/\.000Z$/, ''), timeZone: 'UTC' });
    await h.microsoft.createUserEvent(email, { subject: 'Meeting', start: utc(at(13)), end: utc(at(14)), showAs: 'busy' });
    await busyBecomes(userId, [{ start: at(13), end: at(14) }]);

    // Replaced before it expires: a second subscription is active while the first still is, then the first is deleted.
    const renewed = await eventually(
      async () => {
        const subs = await h.microsoft.listSubscriptions({ account: email });
        const next = subs.find((s) => s.id !== first.id && s.status === 'active');
        return next && subs.find((s) => s.id === first.id)?.status !== 'active' ? next : undefined;
      },
      'the subscription to be replaced',
      30_000,
    );
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(first.expirationDateTime));
    const firstNow = (await h.microsoft.listSubscriptions({ account: email })).find((s) => s.id === first.id);
    expect(firstNow?.status ?? 'deleted').not.toBe('expired');

    await h.microsoft.removeSubscription(renewed.id);
    await eventually(
      async () =>
        (await h.microsoft.listSubscriptions({ account: email })).find(
          (s) => s.id !== first.id && s.id !== renewed.id && s.status === 'active',
        ),
      'a new subscription',
    );

    expect((await h.api('DELETE', `/v1/users/${userId}/connections/${connectionId}`)).status).toBe(202);
    await eventually(
      async () => ((await h.microsoft.listSubscriptions({ account: email })).every((s) => s.status !== 'active') ? true : undefined),
      'subscriptions deleted on disconnect',
    );
  });

  it('refuses forged notifications and echoes the Graph validation token', async () => {
    const forgedGoogle = await fetch(`${h.service.url}/v1/webhooks/google`, {
      method: 'POST',
      headers: {
        'x-goog-channel-id': '00000000-0000-4000-8000-000000000000',
        'x-goog-channel-token': 'guess',
        'x-goog-resource-state': 'exists',
      },
    });
    expect(forgedGoogle.status).toBe(401);

    // A real channel with a wrong token is refused too.
    const userId = h.id('g');
    const { email } = await h.connectGoogle(userId);
    const channel = await eventually(async () => (await h.google.listChannels(email)).find((c) => c.state === 'active'), 'a watch channel');
    const wrongToken = await fetch(`${h.service.url}/v1/webhooks/google`, {
      method: 'POST',
      headers: { 'x-goog-channel-id': channel.id, 'x-goog-channel-token': `${channel.token}x`, 'x-goog-resource-state': 'exists' },
    });
    expect(wrongToken.status).toBe(401);

    const forgedGraph = await fetch(`${h.service.url}/v1/webhooks/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: 'not-ours', clientState: 'guess', changeType: 'created' }] }),
    });
    expect(forgedGraph.status).toBe(401);

    const validation = await fetch(
      `${h.service.url}/v1/webhooks/microsoft?validationToken=${encodeURIComponent('Validation: token 123')}`,
      { method: 'POST' },
    );
    expect(validation.status).toBe(200);
    expect(validation.headers.get('content-type')).toContain('text/plain');
    expect(await validation.text()).toBe('Validation: token 123');
  });
});
