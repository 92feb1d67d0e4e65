import { createHash, randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { ConnectionStore } from '../../db/connections';
import type { ProviderRegistry } from '../../providers';
import { GoogleSandboxControl } from '../../sandbox/google/control-client';
import { idSchema, sandboxConnectBodySchema } from '../schemas';
import { parseBody, parseParam } from '../validate';

export interface SandboxRouteOptions {
  googleSandboxUrl: string;
  googleClientId: string;
  publicBaseUrl: string;
}

const userIdSchema = idSchema('userId');

/**
 * Sandbox mode only: connects a user to a sandbox Google calendar without a browser. It runs the
 * same code exchange, account lookup and sealed storage as the production OAuth flow; only the
 * consent click is skipped (the emulator's control API grants it).
 */
export function sandboxRoutes(connections: ConnectionStore, providers: ProviderRegistry, opts: SandboxRouteOptions): Router {
  const router = Router();
  const control = new GoogleSandboxControl(opts.googleSandboxUrl);

  router.post('/v1/sandbox/users/:userId/connections', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const body = parseBody(req, sandboxConnectBodySchema);
    const email = body.email ?? `${userId.replace(/[^A-Za-z0-9._-]/g, '-').toLowerCase()}@sandbox.test`;
    const redirectUri = `${opts.publicBaseUrl}/v1/oauth/google/callback`;
    const codeVerifier = randomBytes(32).toString('base64url');
    const oauth = providers.oauth('google');
    const { code } = await control.authorize({
      email,
      clientId: opts.googleClientId,
      redirectUri,
      scope: oauth.scopes.join(' '),
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      codeChallengeMethod: 'S256',
    });
    const tokens = await oauth.exchangeCode({ code, redirectUri, codeVerifier });
    const accountEmail = await oauth.fetchAccountEmail(tokens.accessToken);
    const { connection, created } = await connections.upsertOAuth({
      userId,
      provider: 'google',
      calendarId: 'primary',
      accountEmail,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
    });
    res.status(created ? 201 : 200).json({
      connection: { id: connection.id, provider: connection.provider, accountEmail, status: connection.status, syncEnabled: connection.syncEnabled },
    });
  });
  return router;
}
