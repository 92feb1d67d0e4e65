import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { isBodyParseError } from '../shared/http';
import { identifyCaller, requireAccessToken, requirePermission } from './auth';
import { registerCalendarRoutes } from './calendars';
import { assignRequestIds, requestContext, requestIds } from './context';
import { GraphApiError, graphErrorBody, graphErrors } from './errors';
import { registerEventRoutes } from './events';
import { injectFaults } from './faults';
import { registerMeRoutes, type GuardFactory } from './me';
import { mailboxConcurrencyLimit, mailboxRateLimit } from './rate-limit';
import { registerScheduleRoutes } from './schedule';
import { findAccount, type MicrosoftSandboxState } from './state';
import { countRequests } from './stats';
import { registerSubscriptionRoutes } from './subscriptions';

// The /v1.0 router. Order matters: ids, parse, identify, count, take a MailboxConcurrency
// slot, inject faults (so a fault can pre-empt auth and throttling, and a slow one holds
// its slot), then per route: authenticate, throttle, check permissions, handle.

function graphErrorHandler(state: MicrosoftSandboxState): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let graphError: GraphApiError;
    if (error instanceof GraphApiError) graphError = error;
    else if (isBodyParseError(error)) graphError = graphErrors.badRequest('Unable to read JSON request payload.');
    else {
      state.logger?.error({ err: error }, 'microsoft sandbox: unexpected error');
      graphError = graphErrors.internal();
    }
    res
      .status(graphError.status)
      .set(graphError.headers)
      .json(graphErrorBody(graphError.code, graphError.message, requestIds(req)));
  };
}

/** A disabled account's mailbox (see the control API) answers every call but the profile (/me) with MailboxNotEnabledForRESTAPI. */
function refuseInactiveMailbox(state: MicrosoftSandboxState): RequestHandler {
  return (req, _res, next) => {
    const email = requestContext(req).accessToken?.email;
    const account = email === undefined ? undefined : findAccount(state, email);
    next(account?.disabled && req.path !== '/me' ? graphErrors.mailboxNotEnabled() : undefined);
  };
}

export function graphApiRouter(state: MicrosoftSandboxState): Router {
  const router = express.Router();
  router.use(assignRequestIds('request-id'));
  router.use(express.json({ limit: '4mb', type: ['application/json', 'application/*+json'] }));
  router.use(identifyCaller(state));
  router.use(countRequests(state));
  router.use(mailboxConcurrencyLimit(state));
  router.use(injectFaults(state, 'graph'));

  const authenticate = requireAccessToken(state);
  const throttle = mailboxRateLimit(state);
  const guard: GuardFactory = (permissions, denied) => [
    authenticate,
    refuseInactiveMailbox(state),
    throttle,
    requirePermission(permissions, denied),
  ];
  registerMeRoutes(router, state, guard);
  registerCalendarRoutes(router, state, guard);
  registerEventRoutes(router, state, guard);
  registerScheduleRoutes(router, state, guard);
  registerSubscriptionRoutes(router, state, guard);

  // Graph authenticates before it resolves the path, so an unknown route with a bad token is a 401.
  router.use(authenticate, (req, _res, next) => {
    const segment = req.path.split('/').find(Boolean) ?? '';
    next(graphErrors.notFound(segment));
  });
  router.use(graphErrorHandler(state));
  return router;
}
