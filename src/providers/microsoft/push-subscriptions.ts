import { bearerToken, type AccessContext, type OpenedPushChannel, type PushChannelRequest, type PushSupport } from '../types';
import { toProviderError } from './errors';
import { graphClient } from './graph-client';

/** Graph change-notification subscriptions on the calendar's events. */
export class GraphPushSubscriptions implements PushSupport {
  /** Event subscriptions may live about 7 days; three keeps well clear of the limit. */
  readonly maxLifetimeMs = 3 * 24 * 3_600_000;

  constructor(private readonly graphUrl: string) {}

  async openChannel(ctx: AccessContext, r: PushChannelRequest): Promise<OpenedPushChannel> {
    try {
      const sub = (await graphClient(this.graphUrl, bearerToken(ctx.credentials), undefined, ctx.signal)
        .api('/subscriptions')
        .post({
          changeType: 'created,updated,deleted',
          notificationUrl: r.address,
          lifecycleNotificationUrl: r.lifecycleAddress,
          resource: ctx.calendarId === 'primary' ? '/me/events' : `/me/calendars/${ctx.calendarId}/events`,
          expirationDateTime: r.expiresAt.toISOString(),
          clientState: r.secret,
        })) as { id: string; expirationDateTime?: string };
      return { externalId: sub.id, expiresAt: sub.expirationDateTime ? new Date(sub.expirationDateTime) : r.expiresAt };
    } catch (err) {
      throw toProviderError(err);
    }
  }

  async closeChannel(ctx: AccessContext, channel: { externalId: string }): Promise<void> {
    try {
      await graphClient(this.graphUrl, bearerToken(ctx.credentials), undefined, ctx.signal)
        .api(`/subscriptions/${encodeURIComponent(channel.externalId)}`)
        .delete();
    } catch (err) {
      const e = toProviderError(err);
      if (e.details.status !== 404) throw e;
    }
  }
}
