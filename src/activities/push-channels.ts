import { randomUUID } from 'node:crypto';
import type { ProviderKind } from '../providers/types';
import type { ActivityDeps } from './deps';
import { readyAccount, callProvider } from './provider-call';

export interface PushChannelInput {
  connectionId: string;
  tokenJustRefreshed?: boolean;
}

export type OpenPushChannelResult = { opened: false } | { opened: true; channelId: string; expiresAtMs: number };

/** The public routes each provider's notifications arrive at. */
export function pushAddresses(publicBaseUrl: string, provider: ProviderKind): { address: string; lifecycleAddress: string } {
  const base = `${publicBaseUrl}/v1/webhooks/${provider}`;
  return { address: base, lifecycleAddress: `${base}/lifecycle` };
}

export function createPushChannelActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  const channels = deps.channels;
  return {
    /**
     * Opens a push channel on the calendar account's calendar and records it; `opened: false` when
     * push is off in this deployment or the provider has none (CalDAV: polling only).
     */
    async openPushChannel(input: PushChannelInput): Promise<OpenPushChannelResult> {
      const account = await readyAccount(deps, input);
      const push = deps.providers.calendar(account.provider).push;
      if (!deps.push || !push) return { opened: false };
      const { publicBaseUrl, secrets, ttlMs } = deps.push;
      const channelId = randomUUID();
      const ttl = Math.min(ttlMs ?? push.maxLifetimeMs, push.maxLifetimeMs);
      const opened = await callProvider(
        deps,
        account,
        async (_provider, ctx) => {
          const channel = await push.openChannel(ctx, {
            channelId,
            ...pushAddresses(publicBaseUrl, account.provider),
            secret: secrets.secretFor(channelId),
            expiresAt: new Date(now() + ttl),
          });
          // Recorded inside the call: a failure to record it is retried like a failed call.
          await channels.add({
            id: channelId,
            connectionId: input.connectionId,
            provider: account.provider,
            externalId: channel.externalId,
            resourceId: channel.resourceId ?? null,
            expiresAt: channel.expiresAt,
          });
          return channel;
        },
        undefined,
        'openChannel',
      );
      return { opened: true, channelId, expiresAtMs: opened.expiresAt.getTime() };
    },

    /** Stops the calendar account's open channels but `keep` (the one just opened), e.g. after a renewal or on disconnect. */
    async closePushChannels(input: PushChannelInput & { keep?: string }): Promise<{ closed: number }> {
      const open = (await channels.listOpen(input.connectionId)).filter((c) => c.id !== input.keep);
      if (open.length === 0) return { closed: 0 };
      const account = await readyAccount(deps, input);
      const push = deps.providers.calendar(account.provider).push;
      for (const c of open) {
        const channel = { channelId: c.id, externalId: c.externalId, resourceId: c.resourceId ?? undefined };
        if (push) await callProvider(deps, account, (_provider, ctx) => push.closeChannel(ctx, channel), undefined, 'closeChannel');
        await channels.markClosed(c.id);
      }
      return { closed: open.length };
    },
  };
}
