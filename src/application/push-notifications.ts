import type { ChannelSecrets } from '../crypto/channel-secret';
import type { ProviderChannelStore } from '../db/provider-channels';
import type { Logger } from '../logging';
import type { PushRequest, WorkflowGateway } from '../temporal/workflow-gateway';

/** A Google notification: its channel id, our token and the resource state, from its headers. */
export interface GoogleNotification {
  channelId: string | undefined;
  token: string | undefined;
  resourceState: string | undefined;
}

/** One entry of a Graph notification delivery. */
export interface GraphNotification {
  subscriptionId: string;
  clientState?: string | undefined;
  lifecycleEvent?: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed' | undefined;
}

/** `invalid_channel`: an unknown channel or a wrong secret; nothing was signalled. */
export type PushResult = { ok: true } | { ok: false; error: 'invalid_channel' };

export interface PushNotificationsDeps {
  channels: Pick<ProviderChannelStore, 'findOpen'>;
  secrets: Pick<ChannelSecrets, 'matches'>;
  workflows: Pick<WorkflowGateway, 'signalPush'>;
  logger: Logger;
}

/**
 * Change notifications from the providers. They only say "something changed": each verified
 * one signals the calendar account's workflow, which reads busy times in an activity. Forged
 * ones (unknown channel, wrong token or clientState) change nothing.
 */
export class PushNotifications {
  constructor(private readonly deps: PushNotificationsDeps) {}

  async google(notification: GoogleNotification): Promise<PushResult> {
    const channel = notification.channelId ? await this.deps.channels.findOpen('google', notification.channelId) : undefined;
    if (!channel || !this.deps.secrets.matches(channel.id, notification.token)) return { ok: false, error: 'invalid_channel' };
    // `sync` only confirms the channel; `exists`/`not_exists` mean the calendar changed.
    if (notification.resourceState !== 'sync') await this.signal(channel.connectionId, 'refresh_busy');
    return { ok: true };
  }

  /** A Graph delivery: change notifications, or lifecycle ones (`kind: 'lifecycle'`). */
  async graph(kind: 'change' | 'lifecycle', notifications: GraphNotification[]): Promise<PushResult> {
    // One at a time, stopping at the first that fails: a forged batch costs one lookup, and
    // one forged entry refuses the whole delivery (nothing in it is trusted).
    const verified = [];
    for (const notification of notifications) {
      const channel = await this.deps.channels.findOpen('microsoft', notification.subscriptionId);
      if (!channel || !this.deps.secrets.matches(channel.id, notification.clientState)) return { ok: false, error: 'invalid_channel' };
      verified.push({ accountId: channel.connectionId, notification });
    }
    for (const { accountId, notification } of verified) {
      const recreate =
        kind === 'lifecycle' &&
        (notification.lifecycleEvent === 'subscriptionRemoved' || notification.lifecycleEvent === 'reauthorizationRequired');
      await this.signal(accountId, recreate ? 'renew_push' : 'refresh_busy');
    }
    return { ok: true };
  }

  private async signal(accountId: string, request: PushRequest): Promise<void> {
    try {
      await this.deps.workflows.signalPush(accountId, request);
    } catch (err) {
      // An account whose workflow has ended (disconnected) has nothing to refresh.
      this.deps.logger.debug(
        { connectionId: accountId, err: err instanceof Error ? err.name : String(err) },
        'push notification for a connection without a workflow',
      );
    }
  }
}
