import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { identifyCaller, requireAccessToken, requireScope } from './auth';
import { registerCalendarListRoutes } from './calendar-list';
import { apiErrors, GoogleApiError, sendGoogleError } from './errors';
import { registerEventRoutes } from './events';
import { injectFaults } from './faults';
import { registerFreeBusyRoutes } from './freebusy';
import { perUserRateLimit } from './rate-limit';
import { recurrenceReady } from './recurrence-engine';
import type { ApiMethod } from './scopes';
import { requestContext } from './context';
import { findAccount, type SandboxState } from './state';
import { countRequests } from './stats';
import { registerWatchRoutes } from './watch';

// The /calendar/v3 router. Order matters: parse, identify, count, inject faults
// (so a fault can pre-empt auth and quota), wait for the recurrence engine (loaded
// once), then per route: authenticate, rate limit, check scopes, handle.

interface HttpError {
  status?: number;
  type?: string;
}

function isHttpError(error: unknown): error is HttpError {
  return typeof error === 'object' && error !== null && ('status' in error || 'type' in error);
}

export function calendarApiErrorHandler(state: SandboxState): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof GoogleApiError) return sendGoogleError(res, error);
    if (isHttpError(error) && error.type === 'entity.parse.failed') return sendGoogleError(res, apiErrors.parseError());
    if (isHttpError(error) && error.type === 'entity.too.large') {
      return sendGoogleError(res, new GoogleApiError(413, 'uploadTooLarge', 'Request Entity Too Large'));
    }
    state.logger?.error({ err: error }, 'google sandbox: unexpected error');
    sendGoogleError(res, new GoogleApiError(500, 'backendError', 'Backend Error'));
  };
}

/** A disabled account (see the control API) is refused every Calendar API call, as Google does for a suspended user. */
function refuseDisabledAccount(state: SandboxState): RequestHandler {
  return (req, _res, next) => {
    const email = requestContext(req).accessToken?.email;
    const account = email === undefined ? undefined : findAccount(state, email);
    next(account?.disabled ? apiErrors.notACalendarUser() : undefined);
  };
}

export function calendarApiRouter(state: SandboxState): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  router.use(identifyCaller(state));
  router.use(countRequests(state));
  router.use(injectFaults(state, 'calendar'));
  router.use(recurrenceReady);

  const authenticate = requireAccessToken(state);
  const rateLimit = perUserRateLimit(state);
  const guard = (method: ApiMethod): RequestHandler[] => [
    authenticate,
    refuseDisabledAccount(state),
    rateLimit,
    requireScope(state, method),
  ];
  registerCalendarListRoutes(router, state, guard);
  registerWatchRoutes(router, state, guard);
  registerEventRoutes(router, state, guard);
  registerFreeBusyRoutes(router, state, guard);

  router.use((_req, res) => sendGoogleError(res, apiErrors.notFound()));
  router.use(calendarApiErrorHandler(state));
  return router;
}
