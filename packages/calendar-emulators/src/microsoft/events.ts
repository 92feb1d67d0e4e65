import type { Request, Response, Router } from 'express';
import { requestOrigin, routeParam, searchParams } from '../shared/http';
import { deltaPage, parseWindow } from './calendar-view';
import { calendarOwner, calendarScope, callerAccount, METADATA, scopeContext, scopedCalendar, type CalendarScope } from './calendars';
import { graphErrors } from './errors';
import { toGraphEvent, type ExtendedPropertyExpansion, type StoredEvent } from './event-model';
import { byStart, calendarEvents, createEvent, deleteEvent, eventsInWindow, findCalendar, findEvent, patchEvent } from './event-store';
import type { GuardFactory } from './me';
import { expandSeries } from './occurrences';
import {
  announcePreferences,
  DEFAULT_PAGE_SIZE,
  linkWith,
  matchesExtendedPropertyFilter,
  parseExpand,
  parseExtendedPropertyFilter,
  parsePaging,
  parseSelect,
  project,
  queryValue,
  readPreferences,
  type Preferences,
} from './odata';
import { CALENDAR_READ_PERMISSIONS, CALENDAR_WRITE_PERMISSIONS } from './scopes';
import type { Account, MicrosoftSandboxState } from './state';

// Events, calendarView and calendarView/delta of the caller's mailbox. Collections exist on
// the default calendar (`/me/events`, `/me/calendar/events`) and on any calendar
// (`/me/calendars/{id}/events`); an event id is valid mailbox-wide at `/me/events/{id}`.
// Event lists show single events and series masters; calendarView, its delta and
// `/events/{id}/instances` show occurrences instead of masters. Occurrence ids work
// wherever an event id does.

/** The three ways to address a calendar in a path, `suffix` appended. */
function scoped(suffix: string): string[] {
  return [`/me${suffix}`, `/me/calendar${suffix}`, `/me/calendars/:calendarId${suffix}`];
}

function renderEvent(
  account: Account,
  event: StoredEvent,
  preferences: Preferences,
  expand?: ExtendedPropertyExpansion,
): ReturnType<typeof toGraphEvent> {
  const calendar = findCalendar(account.mailbox, event.calendarId);
  return toGraphEvent(event, {
    zone: preferences.zone,
    organizer: calendarOwner(account, calendar),
    ...(expand ? { expand } : {}),
  });
}

/** `…/events(subject,start)` when `$select` narrowed the properties. */
function withSelect(context: string, select: readonly string[] | undefined): string {
  return select === undefined ? context : `${context}(${select.join(',')})`;
}

/** The event a path names; through a calendar path it must be in that calendar. */
function addressedEvent(account: Account, req: Request, scope: CalendarScope): StoredEvent {
  const eventId = routeParam(req, 'eventId');
  if (eventId === undefined) throw graphErrors.itemNotFound();
  const event = findEvent(account.mailbox, eventId);
  if (scope.kind !== 'me' && scopedCalendar(account, scope).id !== event.calendarId) throw graphErrors.itemNotFound();
  return event;
}

interface ListInput {
  req: Request;
  res: Response;
  account: Account;
  events: StoredEvent[];
  context: string;
}

/** A page of events with $select/$expand/$top/$skip and `@odata.nextLink` (the query kept, `$skip` advanced). */
function sendEventList({ req, res, account, events, context }: ListInput): void {
  const params = searchParams(req);
  const preferences = readPreferences(req);
  const select = parseSelect(params);
  const expand = parseExpand(params);
  const filter = parseExtendedPropertyFilter(params);
  const { top, skip } = parsePaging(params, preferences);
  const matching = events.filter((event) => matchesExtendedPropertyFilter(event, filter));
  const page = matching.slice(skip, skip + top);
  const body: Record<string, unknown> = {
    '@odata.context': withSelect(context, select),
    value: page.map((event) => project(renderEvent(account, event, preferences, expand), select)),
  };
  if (skip + top < matching.length) body['@odata.nextLink'] = linkWith(req, requestOrigin(req), { $skip: String(skip + top) });
  const pageSizeApplied = preferences.maxPageSize !== undefined && queryValue(params, '$top') === undefined;
  announcePreferences(res, preferences, pageSizeApplied ? [`odata.maxpagesize=${preferences.maxPageSize}`] : []);
  res.json(body);
}

function sendEvent(
  res: Response,
  status: number,
  account: Account,
  event: StoredEvent,
  preferences: Preferences,
  context: string,
  params?: URLSearchParams,
): void {
  const select = params ? parseSelect(params) : undefined;
  const expand = params ? parseExpand(params) : undefined;
  announcePreferences(res, preferences);
  res.status(status).json({
    '@odata.context': `${withSelect(context, select)}/$entity`,
    ...project(renderEvent(account, event, preferences, expand), select),
  });
}

function eventContext(account: Account, scope: CalendarScope): string {
  return `${scopeContext(account, scope)}/events`;
}

export function registerEventRoutes(router: Router, state: MicrosoftSandboxState, guard: GuardFactory): void {
  const read = guard(CALENDAR_READ_PERMISSIONS, graphErrors.mailboxAccessDenied);
  const write = guard(CALENDAR_WRITE_PERMISSIONS, graphErrors.mailboxAccessDenied);

  router.get(scoped('/events'), ...read, (req, res) => {
    const account = callerAccount(state, req);
    const scope = calendarScope(req);
    const calendar = scopedCalendar(account, scope);
    sendEventList({ req, res, account, events: calendarEvents(account.mailbox, calendar.id), context: eventContext(account, scope) });
  });

  // A repeated transactionId (within 24 h, event still there) answers 201 with the existing event.
  router.post(scoped('/events'), ...write, (req, res) => {
    const account = callerAccount(state, req);
    const scope = calendarScope(req);
    const calendar = scopedCalendar(account, scope);
    // Preferences first: an unknown outlook.timezone must not leave an event behind.
    const preferences = readPreferences(req);
    const body: unknown = req.body;
    const { event } = createEvent(account.mailbox, calendar, body, state.now(), 'app');
    sendEvent(res, 201, account, event, preferences, eventContext(account, scope));
  });

  router.get(scoped('/events/:eventId'), ...read, (req, res) => {
    const account = callerAccount(state, req);
    const scope = calendarScope(req);
    const event = addressedEvent(account, req, scope);
    sendEvent(res, 200, account, event, readPreferences(req), eventContext(account, scope), searchParams(req));
  });

  router.patch(scoped('/events/:eventId'), ...write, (req, res) => {
    const account = callerAccount(state, req);
    const scope = calendarScope(req);
    const event = addressedEvent(account, req, scope);
    const preferences = readPreferences(req);
    const body: unknown = req.body;
    const updated = patchEvent(account.mailbox, event, body, req.get('if-match'), state.now(), 'app');
    sendEvent(res, 200, account, updated, preferences, eventContext(account, scope));
  });

  router.delete(scoped('/events/:eventId'), ...write, (req, res) => {
    const account = callerAccount(state, req);
    const event = addressedEvent(account, req, calendarScope(req));
    deleteEvent(account.mailbox, event, req.get('if-match'), 'app', state.now());
    res.status(204).end();
  });

  // The occurrences and exceptions of a series master in the window (none for other events).
  router.get(scoped('/events/:eventId/instances'), ...read, (req, res) => {
    const account = callerAccount(state, req);
    const scope = calendarScope(req);
    const event = addressedEvent(account, req, scope);
    const window = parseWindow(searchParams(req));
    const instances = event.occurrence ? [] : expandSeries(event, window.startMs, window.endMs).sort(byStart);
    sendEventList({ req, res, account, events: instances, context: `${eventContext(account, scope)}('${event.id}')/instances` });
  });

  router.get(scoped('/calendarView'), ...read, (req, res) => {
    const account = callerAccount(state, req);
    const scope = calendarScope(req);
    const calendar = scopedCalendar(account, scope);
    const window = parseWindow(searchParams(req));
    sendEventList({
      req,
      res,
      account,
      events: eventsInWindow(account.mailbox, calendar.id, window.startMs, window.endMs),
      context: `${scopeContext(account, scope)}/calendarView`,
    });
  });

  router.get(scoped('/calendarView/delta'), ...read, (req, res) => {
    const account = callerAccount(state, req);
    const calendar = scopedCalendar(account, calendarScope(req));
    const preferences = readPreferences(req);
    const page = deltaPage(account.mailbox, calendar.id, searchParams(req), preferences.maxPageSize ?? DEFAULT_PAGE_SIZE);
    const body: Record<string, unknown> = {
      '@odata.context': `${METADATA}Collection(event)`,
      value: page.items.map((item) =>
        'event' in item
          ? renderEvent(account, item.event, preferences)
          : { '@odata.type': '#microsoft.graph.event', id: item.removedId, '@removed': { reason: 'deleted' } },
      ),
    };
    const origin = requestOrigin(req);
    if (page.skipToken !== undefined) body['@odata.nextLink'] = linkWith(req, origin, { $skiptoken: page.skipToken }, false);
    if (page.deltaToken !== undefined) body['@odata.deltaLink'] = linkWith(req, origin, { $deltatoken: page.deltaToken }, false);
    announcePreferences(res, preferences, preferences.maxPageSize !== undefined ? [`odata.maxpagesize=${preferences.maxPageSize}`] : []);
    res.json(body);
  });
}
