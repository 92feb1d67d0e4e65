import type { Request, Router } from 'express';
import { authorizeCalendar, resolveCalendar, routeParam, type GuardFactory } from './calendar-list';
import { channelResource, openChannel, parseWatchRequest, stopChannel } from './channels';
import { requestContext, requestOrigin } from './context';
import { apiErrors } from './errors';
import type { SandboxState } from './state';

// events.watch and channels.stop. Both go through the same guard as every other call
// (401 without a valid token, per-user rate limit, scopes, faults), as on Google.

/** The OAuth client behind the request's token: channels belong to it (Google: to the project). */
function callerClientId(state: SandboxState, req: Request): string {
  const grantId = requestContext(req).accessToken?.grantId;
  const clientId = grantId === undefined ? undefined : state.grants.get(grantId)?.clientId;
  if (clientId === undefined) throw apiErrors.notFound();
  return clientId;
}

/** Where the channel's resource lives, as the client addressed it (`primary` stays `primary`). */
function resourceUri(req: Request, calendarId: string): string {
  const path = encodeURIComponent(calendarId).replace(/%40/g, '@');
  return `${requestOrigin(req)}/calendar/v3/calendars/${path}/events?alt=json`;
}

export function registerWatchRoutes(router: Router, state: SandboxState, guard: GuardFactory): void {
  router.post('/calendars/:calendarId/events/watch', ...guard('calendar.v3.Events.Watch'), (req, res) => {
    const calendarId = routeParam(req, 'calendarId');
    const { account, calendar } = resolveCalendar(state, req, calendarId);
    authorizeCalendar(state, req, calendar, 'calendar.v3.Events.Watch', 'read');
    const input = parseWatchRequest(req.body as unknown, state.config);
    const channel = openChannel(state, {
      input,
      account,
      calendar,
      clientId: callerClientId(state, req),
      resourceUri: resourceUri(req, calendarId),
    });
    res.json(channelResource(channel));
  });

  router.post('/channels/stop', ...guard('calendar.v3.Channels.Stop'), (req, res) => {
    stopChannel(state, req.body as unknown, callerClientId(state, req));
    res.status(204).end();
  });
}
