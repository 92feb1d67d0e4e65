import type { Request, Response, Router } from 'express';
import { authorizeCalendar, resolveCalendar, routeParam, type GuardFactory } from './calendar-list';
import { announceEventsChanged } from './channels';
import { requestOrigin, searchParams } from './context';
import { findEventOrInstance } from './event-instances';
import { listEvents, parseListParams } from './event-list';
import { toEventResource, type StoredEvent } from './event-model';
import { deleteEvent, insertEvent, patchEvent, updateEvent } from './event-store';
import type { ApiMethod } from './scopes';
import type { CalendarStore, SandboxState } from './state';

// The events.* routes of Calendar API v3, on any calendar of the caller's account.
// Every successful write tells the calendar's push channels (after the write, so a
// failed one announces nothing). Instances of recurring events can be read by their
// instance id; writes address stored events only (no per-instance exceptions).

function sendEvent(req: Request, res: Response, calendar: CalendarStore, event: StoredEvent): void {
  res.set('ETag', event.etag).json(toEventResource(event, calendar, requestOrigin(req)));
}

function ifMatch(req: Request): string | undefined {
  return req.get('if-match') ?? undefined;
}

export function registerEventRoutes(router: Router, state: SandboxState, guard: GuardFactory): void {
  /** The addressed calendar (404 if it is not the caller's), checked for what the method needs. */
  const calendarFor = (req: Request, method: ApiMethod, access: 'read' | 'write'): CalendarStore => {
    const { calendar } = resolveCalendar(state, req, routeParam(req, 'calendarId'));
    authorizeCalendar(state, req, calendar, method, access);
    return calendar;
  };

  router.get('/calendars/:calendarId/events', ...guard('calendar.v3.Events.List'), (req, res) => {
    const calendar = calendarFor(req, 'calendar.v3.Events.List', 'read');
    const page = listEvents(calendar, parseListParams(searchParams(req)), state.now());
    const origin = requestOrigin(req);
    let latest = calendar.createdMs;
    for (const event of calendar.events.values()) latest = Math.max(latest, event.updatedMs);
    res.json({
      kind: 'calendar#events',
      etag: `"${calendar.changeSeq}"`,
      summary: calendar.summary,
      description: '',
      updated: new Date(latest).toISOString(),
      timeZone: calendar.timeZone,
      accessRole: calendar.accessRole,
      defaultReminders: calendar.defaultReminders.map((r) => ({ ...r })),
      ...(page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}),
      ...(page.nextSyncToken !== undefined ? { nextSyncToken: page.nextSyncToken } : {}),
      items: page.items.map((event) => toEventResource(event, calendar, origin)),
    });
  });

  router.post('/calendars/:calendarId/events', ...guard('calendar.v3.Events.Insert'), (req, res) => {
    const calendar = calendarFor(req, 'calendar.v3.Events.Insert', 'write');
    const body: unknown = req.body;
    const event = insertEvent(calendar, body, state.now());
    announceEventsChanged(state, calendar);
    sendEvent(req, res, calendar, event);
  });

  router.get('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Get'), (req, res) => {
    const calendar = calendarFor(req, 'calendar.v3.Events.Get', 'read');
    const event = findEventOrInstance(calendar, routeParam(req, 'eventId'));
    const ifNoneMatch = req.get('if-none-match');
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === event.etag)) {
      res.status(304).end();
      return;
    }
    sendEvent(req, res, calendar, event);
  });

  router.put('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Update'), (req, res) => {
    const calendar = calendarFor(req, 'calendar.v3.Events.Update', 'write');
    const body: unknown = req.body;
    const event = updateEvent(calendar, routeParam(req, 'eventId'), body, ifMatch(req), state.now());
    announceEventsChanged(state, calendar);
    sendEvent(req, res, calendar, event);
  });

  router.patch('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Patch'), (req, res) => {
    const calendar = calendarFor(req, 'calendar.v3.Events.Patch', 'write');
    const body: unknown = req.body;
    const event = patchEvent(calendar, routeParam(req, 'eventId'), body, ifMatch(req), state.now());
    announceEventsChanged(state, calendar);
    sendEvent(req, res, calendar, event);
  });

  router.delete('/calendars/:calendarId/events/:eventId', ...guard('calendar.v3.Events.Delete'), (req, res) => {
    const calendar = calendarFor(req, 'calendar.v3.Events.Delete', 'write');
    deleteEvent(calendar, routeParam(req, 'eventId'), ifMatch(req), state.now());
    announceEventsChanged(state, calendar);
    res.status(204).end();
  });
}
