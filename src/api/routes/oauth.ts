import { Router, type RequestHandler, type Response } from 'express';
import { ConnectLimitError } from '../../account-access/connect-limits';
import { CONNECT_LINK_TTL_MS, type ConnectErrorCode, type OAuthConnect } from '../../account-access/oauth-connect';
import { ProviderError } from '../../providers';
import { CONNECT_COOKIE, connectBrowserNonce, readCookie } from '../browser-guard';
import { ApiError } from '../errors';
import { continuePage } from '../pages/browser-pages';
import { connectResultPage } from '../pages/connect-result';
import { connectLinkBodySchema, idSchema, oauthProviderSchema } from '../schemas';
import { connectLinkSchema } from '../responses/connections';
import { sendJson } from '../send-json';
import { parseBody, parseParam } from '../validate';

const userIdSchema = idSchema('userId');

function backTo(res: Response, returnUrl: string, params: Record<string, string>, ownOrigin: string): void {
  const url = new URL(returnUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  // Back to this service's own settings page: through a same-origin hop, so its SameSite=Strict
  // session cookie goes along (the provider's redirect here was a cross-site navigation).
  if (url.origin === ownOrigin) return void res.type('html').send(continuePage(`${url.pathname}${url.search}`));
  res.redirect(302, url.toString());
}

function failure(res: Response, error: ConnectErrorCode, returnUrl: string | null, ownOrigin: string): void {
  if (returnUrl) return backTo(res, returnUrl, { status: 'error', error }, ownOrigin);
  res
    .status(400)
    .type('html')
    .send(connectResultPage({ ok: false, error }));
}

/**
 * The OAuth connect flow: the booking system asks for a connect link; the user's browser opens
 * it, consents at the provider and comes back to the callback. Browser routes carry no API key:
 * they are protected by the single-use link, the signed state and the browser binding: the
 * flow is bound to the browser that started or opened it (a nonce in a `__Host-` cookie, its
 * hash stored with the flow), and the callback completes it only there.
 */
export function oauthRoutes(connect: OAuthConnect, requireKey: RequestHandler, publicBaseUrl: string): Router {
  const router = Router();
  const ownOrigin = new URL(publicBaseUrl).origin;

  router.post('/v1/users/:userId/connect-links', requireKey, async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const body = parseBody(req, connectLinkBodySchema);
    try {
      const link = await connect.createLink(userId, body.provider, body.returnUrl);
      sendJson(res, 201, connectLinkSchema, { url: link.url, expiresAt: link.expiresAt.toISOString() });
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
    const nonce = connectBrowserNonce(req, res, CONNECT_LINK_TTL_MS);
    const result = await connect.open(String(req.params.flowId).slice(0, 200), nonce);
    if (!result.ok) return failure(res, result.error, result.returnUrl, ownOrigin);
    res.redirect(302, result.redirectTo);
  });

  router.get('/v1/oauth/:provider/callback', async (req, res) => {
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
    const provider = oauthProviderSchema.safeParse(req.params.provider);
    if (!provider.success) return failure(res, 'invalid_state', null, ownOrigin);
    const query = req.query as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 4096 ? v : undefined);
    const result = await connect.callback(
      provider.data,
      { state: str(query.state), code: str(query.code), error: str(query.error) },
      readCookie(req, CONNECT_COOKIE),
    );
    if (!result.ok) return failure(res, result.error, result.returnUrl, ownOrigin);
    if (result.returnUrl) return backTo(res, result.returnUrl, { status: 'connected', connection: result.account.id }, ownOrigin);
    res.type('html').send(connectResultPage({ ok: true, accountEmail: result.accountEmail }));
  });

  return router;
}
