import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { PushNotifications } from '../../application/push-notifications';
import { ApiError, validationError } from '../errors';

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

/** Change notifications from the providers: verified and passed on by the push-notification service. */
export function providerWebhookRoutes(push: PushNotifications): Router {
  const router = Router();

  // Google: no body; the channel id and our token come as headers.
  router.post('/v1/webhooks/google', async (req, res) => {
    const result = await push.google({
      channelId: req.get('x-goog-channel-id'),
      token: req.get('x-goog-channel-token'),
      resourceState: req.get('x-goog-resource-state'),
    });
    if (!result.ok) throw new ApiError(401, result.error, 'unknown channel or wrong channel token');
    res.status(200).end();
  });

  // Graph: the validation handshake echoes the token as text; notifications carry clientState.
  const graph = (kind: 'change' | 'lifecycle') => async (req: Request, res: Response) => {
    const token = req.query.validationToken;
    if (typeof token === 'string') return res.status(200).type('text/plain').send(token);
    const body = graphNotifications.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'body');
    const result = await push.graph(kind, body.data.value);
    if (!result.ok) throw new ApiError(401, result.error, 'unknown subscription or wrong clientState');
    res.status(202).end();
  };
  router.post('/v1/webhooks/microsoft', graph('change'));
  router.post('/v1/webhooks/microsoft/lifecycle', graph('lifecycle'));
  return router;
}
