import { bearerToken, type AccessContext, type OpenedPushChannel, type PushChannelRequest, type PushSupport } from '../types';
import { calendarClient, withToken } from './calendar-client';
import { toProviderError } from './errors';

/** Google watch channels on the calendar's events: no renewal, so a new one is opened before expiry. */
export class GooglePushChannels implements PushSupport {
  /** Google's default (and usual maximum) for event channels. */
  readonly maxLifetimeMs = 7 * 24 * 3_600_000;

  constructor(private readonly apiUrl: string) {}

  async openChannel(ctx: AccessContext, r: PushChannelRequest): Promise<OpenedPushChannel> {
    try {
      const res = await calendarClient(this.apiUrl).events.watch(
        {
          calendarId: ctx.calendarId,
          requestBody: {
            id: r.channelId,
            type: 'web_hook',
            address: r.address,
            token: r.secret,
            expiration: String(r.expiresAt.getTime()),
          },
        },
        withToken(bearerToken(ctx.credentials), ctx.signal),
      );
      return {
        externalId: res.data.id ?? r.channelId,
        resourceId: res.data.resourceId ?? undefined,
        expiresAt: res.data.expiration ? new Date(Number(res.data.expiration)) : r.expiresAt,
      };
    } catch (err) {
      throw toProviderError(err);
    }
  }

  async closeChannel(ctx: AccessContext, channel: { channelId: string; resourceId?: string }): Promise<void> {
    try {
      await calendarClient(this.apiUrl).channels.stop(
        { requestBody: { id: channel.channelId, resourceId: channel.resourceId } },
        withToken(bearerToken(ctx.credentials), ctx.signal),
      );
    } catch (err) {
      const e = toProviderError(err);
      if (e.details.status !== 404) throw e;
    }
  }
}
