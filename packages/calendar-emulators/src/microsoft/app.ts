import express, { type Express } from 'express';
import { controlRouter } from './control';
import { graphApiRouter } from './graph-api';
import { oauthRouter } from './oauth';
import type { MicrosoftSandboxState } from './state';

/**
 * The Microsoft sandbox as an Express app: the identity platform at the root (the
 * authority, `/{tenant}/oauth2/v2.0/...`) and Graph under `/v1.0`, on one port.
 */
export function createMicrosoftSandboxApp(state: MicrosoftSandboxState): Express {
  const app = express();
  app.disable('x-powered-by');
  // Express's automatic ETags would answer 304s of their own; Graph's etags come later, from the events.
  app.set('etag', false);

  app.use('/sandbox', controlRouter(state));
  app.use('/v1.0', graphApiRouter(state));
  app.use(oauthRouter(state));

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 404, message: 'Not Found' } });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    state.logger?.error({ err: error }, 'microsoft sandbox: unexpected error');
    if (!res.headersSent) res.status(500).json({ error: { code: 500, message: 'Internal error in the sandbox' } });
  });
  return app;
}
