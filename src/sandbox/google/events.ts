import type { Request, Response, Router } from 'express';
import {
  CALENDAR_TIME_ZONE,
  DEFAULT_REMINDERS,
  resolveCalendarAccount,
  routeParam,
  type GuardFactory,
} from './calendar-list';
import { requestOrigin, searchParams } from './context';
import { listEvents, parseListParams } from './event-list';
import { toEventResource, type StoredEvent } from './event-model';
import { deleteEvent, findEvent, insertEvent, patchEvent, updateEvent } from './event-store';
import type { Account, SandboxState } from './state';

// The events.* routes of Calendar API v3.

function sendEvent(req: Request, res: Response, account: Account, event: StoredEvent): void {
  res.set('ETag', event.etag).json(toEventResource(event, account.email, requestOrigin(req)));
}

function ifMatch(req: Request): string | undefined {
  return req.get('if-match') ?? undefined;
}

export function registerEventRoutes(router: Router, state: SandboxState, guard: GuardFactory): void {
  const calendarOf = (req: Request): Account => resolveCalendarAccount(state, req, routeParam(req, 'calendarId'));

  router.get('/calendars/:calendarId/events', ...guard('calendar.v3.Events.List'), (req, res) => {
    const account = calendarOf(req);
    const page = listEvents(account.calendar, parseListParams(searchParams(req)));
    const origin = requestOrigin(req);
    let latest = account.calendar.createdMs;
    for (const event of account.calendar.events.values()) latest = Math.max(latest, event.updatedMs);
    res.json({
      kind: 'calendar#events',
      etag: `"${account.calendar.changeSeq}"`,
      summary: account.email,
      description: '',
      updated: new Date(latest).toISOString(),
      timeZone: CALENDAR_TIME_ZONE,
      accessRole: 'owner',
      defaultReminders: DEFAULT_REMINDERS.map((r) => ({ ...r })),
      ...(page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}),
      ...(page.nextSyncToken !== undefined ? { nextSyncToken: page.nextSyncToken } : {}),
      items: page.items.map((event) => toEventResource(event, account.email, origin)),
    });
  });

  router.post('/calendars/:calendarId/events', ...guard('calendar.v3.Events.Insert'), (req, res) => {
    const account = calendarOf(req);
    const body: unknown = req.body;
    sendEvent(req, res, account, insertEvent(account.calendar, body, state.now()));
  });

  router.get('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Get'), (req, res) => {
    const account = calendarOf(req);
    const event = findEvent(account.calendar, routeParam(req, 'eventId'));
    const ifNoneMatch = req.get('if-none-match');
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === event.etag)) {
      res.status(304).end();
      return;
    }
    sendEvent(req, res, account, event);
  });

  router.put('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Update'), (req, res) => {
    const account = calendarOf(req);
    const body: unknown = req.body;
    const event = updateEvent(account.calendar, routeParam(req, 'eventId'), body, ifMatch(req), state.now());
    sendEvent(req, res, account, event);
  });

  router.patch('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Patch'), (req, res) => {
    const account = calendarOf(req);
    const body: unknown = req.body;
    const event = patchEvent(account.calendar, routeParam(req, 'eventId'), body, ifMatch(req), state.now());
    sendEvent(req, res, account, event);
  });

  router.delete('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Delete'), (req, res) => {
    const account = calendarOf(req);
    deleteEvent(account.calendar, routeParam(req, 'eventId'), ifMatch(req), state.now());
    res.status(204).end();
  });
}
