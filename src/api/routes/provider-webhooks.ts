import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ChannelSecrets } from '../../crypto/channel-secret';
import type { ProviderChannelStore } from '../../db/provider-channels';
import type { Logger } from '../../logging';
import { connectionWorkflowId, refreshBusySignal, renewPushSignal } from '../../workflows/messages';
import { ApiError, validationError } from '../errors';

export interface ProviderWebhookDeps {
  channels: ProviderChannelStore;
  secrets: ChannelSecrets;
  temporal: Client;
  logger: Logger;
}

const graphNotifications = z.object({
  value: z
    .array(
      z.object({
        subscriptionId: z.string().min(1).max(200),
        clientState: z.string().max(256).optional(),
        lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
      }),
    )
    .min(1)
    .max(100),
});

/**
 * Change notifications from the providers. They only say "something changed": each verified
 * one signals the connection's workflow, which reads busy times in an activity. Forged ones
 * (unknown channel, wrong token or clientState) change nothing.
 */
export function providerWebhookRoutes({ channels, secrets, temporal, logger }: ProviderWebhookDeps): Router {
  const router = Router();
  const signal = async (connectionId: string, which: typeof refreshBusySignal | typeof renewPushSignal) => {
    try {
      await temporal.workflow.getHandle(connectionWorkflowId(connectionId)).signal(which);
    } catch (err) {
      // A connection whose workflow has ended (disconnected) has nothing to refresh.
      logger.debug({ connectionId, err: err instanceof Error ? err.name : String(err) }, 'push notification for a connection without a workflow');
    }
  };

  // Google: no body; the channel id and our token come as headers.
  router.post('/v1/webhooks/google', async (req, res) => {
    const channelId = req.get('x-goog-channel-id') ?? '';
    const channel = channelId ? await channels.findOpen('google', channelId) : undefined;
    if (!channel || !secrets.matches(channel.id, req.get('x-goog-channel-token'))) {
      throw new ApiError(401, 'invalid_channel', 'unknown channel or wrong channel token');
    }
    // `sync` only confirms the channel; `exists`/`not_exists` mean the calendar changed.
    if (req.get('x-goog-resource-state') !== 'sync') await signal(channel.connectionId, refreshBusySignal);
    res.status(200).end();
  });

  // Graph: the validation handshake echoes the token as text; notifications carry clientState.
  const graph = (kind: 'change' | 'lifecycle') => async (req: Request, res: Response) => {
    const token = req.query.validationToken;
    if (typeof token === 'string') return res.status(200).type('text/plain').send(token);
    const body = graphNotifications.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'body');
    // One at a time, stopping at the first that fails: a forged batch costs one lookup.
    const verified = [];
    for (const n of body.data.value) {
      const channel = await channels.findOpen('microsoft', n.subscriptionId);
      if (!channel || !secrets.matches(channel.id, n.clientState)) {
        verified.push(undefined);
        break;
      }
      verified.push({ channel, n });
    }
    // One forged entry and the whole delivery is refused: nothing in it is trusted.
    if (verified.some((v) => v === undefined)) throw new ApiError(401, 'invalid_channel', 'unknown subscription or wrong clientState');
    for (const v of verified) {
      const { channel, n } = v!;
      const recreate = kind === 'lifecycle' && (n.lifecycleEvent === 'subscriptionRemoved' || n.lifecycleEvent === 'reauthorizationRequired');
      await signal(channel.connectionId, recreate ? renewPushSignal : refreshBusySignal);
    }
    res.status(202).end();
  };
  router.post('/v1/webhooks/microsoft', graph('change'));
  router.post('/v1/webhooks/microsoft/lifecycle', graph('lifecycle'));
  return router;
}
