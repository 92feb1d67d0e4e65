import { randomUUID } from 'node:crypto';
import type { ProviderKind } from '../providers/types';
import { connectionAccess } from './access';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './failures';

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
     * Opens a push channel on the connection's calendar and records it; `opened: false` when
     * push is off in this deployment or the provider has none (CalDAV: polling only).
     */
    async openPushChannel(input: PushChannelInput): Promise<OpenPushChannelResult> {
      const { ctx, provider, tokenVersion } = await connectionAccess(deps, now(), input);
      const push = deps.providers.calendar(provider).push;
      if (!deps.push || !push) return { opened: false };
      const channelId = randomUUID();
      const ttl = Math.min(deps.push.ttlMs ?? push.maxLifetimeMs, push.maxLifetimeMs);
      try {
        const opened = await push.openChannel(ctx, {
          channelId,
          ...pushAddresses(deps.push.publicBaseUrl, provider),
          secret: deps.push.secrets.secretFor(channelId),
          expiresAt: new Date(now() + ttl),
        });
        await channels.add({ id: channelId, connectionId: input.connectionId, provider, externalId: opened.externalId, resourceId: opened.resourceId ?? null, expiresAt: opened.expiresAt });
        return { opened: true, channelId, expiresAtMs: opened.expiresAt.getTime() };
      } catch (err) {
        throw toActivityFailure(err, tokenVersion);
      }
    },

    /** Stops the connection's open channels but `keep` (the one just opened), e.g. after a renewal or on disconnect. */
    async closePushChannels(input: PushChannelInput & { keep?: string }): Promise<{ closed: number }> {
      const open = (await channels.listOpen(input.connectionId)).filter((c) => c.id !== input.keep);
      if (open.length === 0) return { closed: 0 };
      const { ctx, provider, tokenVersion } = await connectionAccess(deps, now(), input);
      const push = deps.providers.calendar(provider).push;
      for (const c of open) {
        try {
          await push?.closeChannel(ctx, { channelId: c.id, externalId: c.externalId, resourceId: c.resourceId ?? undefined });
        } catch (err) {
          throw toActivityFailure(err, tokenVersion);
        }
        await channels.markClosed(c.id);
      }
      return { closed: open.length };
    },
  };
}
