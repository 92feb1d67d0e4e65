import express, { type Express } from 'express';
import { calendarApiRouter } from './calendar-api';
import { controlRouter } from './control';
import { eventPage } from './event-page';
import { oauthRouter } from './oauth';
import { loadRecurrenceEngine, recurrenceReady } from './recurrence-engine';
import type { SandboxState } from './state';

/**
 * The sandbox as an Express app. Everything is served at the root because googleapis
 * keeps only the scheme, host and port of `rootUrl`.
 */
export function createGoogleSandboxApp(state: SandboxState): Express {
  // Start loading ical.js now so the first event request need not wait; a failure shows
  // up on that request (recurrenceReady), not here.
  loadRecurrenceEngine().catch(() => undefined);
  const app = express();
  app.disable('x-powered-by');
  // Express's automatic ETags would answer 304s of their own; etags here are Google's.
  app.set('etag', false);

  app.use('/sandbox', controlRouter(state));
  app.use(oauthRouter(state));
  app.use('/calendar/v3', calendarApiRouter(state));
  app.get('/calendar/event', recurrenceReady, eventPage(state));

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 404, message: 'Not Found' } });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    state.logger?.error({ err: error }, 'google sandbox: unexpected error');
    if (!res.headersSent) res.status(500).json({ error: { code: 500, message: 'Internal error in the sandbox' } });
  });
  return app;
}
