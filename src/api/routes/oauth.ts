import { Router, type RequestHandler, type Response } from 'express';
import { ConnectLimitError } from '../../account-access/connect-limits';
import type { ConnectErrorCode, OAuthConnect } from '../../account-access/oauth-connect';
import { ProviderError } from '../../providers';
import { ApiError } from '../errors';
import { connectResultPage } from '../pages/connect-result';
import { connectLinkBodySchema, idSchema, oauthProviderSchema } from '../schemas';
import { parseBody, parseParam } from '../validate';

const userIdSchema = idSchema('userId');

function backTo(res: Response, returnUrl: string, params: Record<string, string>): void {
  const url = new URL(returnUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  res.redirect(302, url.toString());
}

function failure(res: Response, error: ConnectErrorCode, returnUrl: string | null): void {
  if (returnUrl) return backTo(res, returnUrl, { status: 'error', error });
  res
    .status(400)
    .type('html')
    .send(connectResultPage({ ok: false, error }));
}

/**
 * The OAuth connect flow: the booking system asks for a connect link; the user's browser opens
 * it, consents at the provider and comes back to the callback. Browser routes carry no API key:
 * they are protected by the single-use link and the signed state.
 */
export function oauthRoutes(connect: OAuthConnect, requireKey: RequestHandler): Router {
  const router = Router();

  router.post('/v1/users/:userId/connect-links', requireKey, async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const body = parseBody(req, connectLinkBodySchema);
    try {
      const link = await connect.createLink(userId, body.provider, body.returnUrl);
      res.status(201).json({ url: link.url, expiresAt: link.expiresAt.toISOString() });
    } catch (err) {
      if (err instanceof ProviderError) throw new ApiError(400, 'provider_not_configured', err.message);
      if (err instanceof ConnectLimitError && err.refusal.code === 'too_many_connect_attempts') {
        throw new ApiError(429, err.refusal.code, err.refusal.message, undefined, err.refusal.retryAfterSeconds);
      }
      throw err;
    }
  });

  router.get('/v1/connect/:flowId', async (req, res) => {
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
    const result = await connect.open(String(req.params.flowId).slice(0, 200));
    if (!result.ok) return failure(res, result.error, result.returnUrl);
    res.redirect(302, result.redirectTo);
  });

  router.get('/v1/oauth/:provider/callback', async (req, res) => {
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
    const provider = oauthProviderSchema.safeParse(req.params.provider);
    if (!provider.success) return failure(res, 'invalid_state', null);
    const query = req.query as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 4096 ? v : undefined);
    const result = await connect.callback(provider.data, { state: str(query.state), code: str(query.code), error: str(query.error) });
    if (!result.ok) return failure(res, result.error, result.returnUrl);
    if (result.returnUrl) return backTo(res, result.returnUrl, { status: 'connected', connection: result.account.id });
    res.type('html').send(connectResultPage({ ok: true, accountEmail: result.accountEmail }));
  });

  return router;
}
