import type { Request, RequestHandler, Router } from 'express';
import { randomToken } from '../shared/ids';
import { requestContext, searchParams } from './context';
import { apiErrors, InsufficientScopeError } from './errors';
import { scopeAllowsOnCalendar, type ApiMethod } from './scopes';
import { findAccount, findCalendar, type Account, type CalendarListCursor, type CalendarStore, type SandboxState } from './state';
import type { CalendarAccessRole, GoogleCalendarListEntry } from './types';

// calendarList.get/list and calendars.get over an account's calendars (the primary one
// and its secondary ones), plus the calendar resolution and access checks events.* use.

export type GuardFactory = (method: ApiMethod) => RequestHandler[];

const DEFAULT_LIST_RESULTS = 100;
const MAX_LIST_RESULTS = 250;
const MAX_LIST_PAGE_TOKENS = 1_000;

/** Google's access roles, weakest first. */
const ROLE_RANK: Record<CalendarAccessRole, number> = { freeBusyReader: 0, reader: 1, writer: 2, owner: 3 };

function isAccessRole(value: string): value is CalendarAccessRole {
  return Object.prototype.hasOwnProperty.call(ROLE_RANK, value);
}

export function routeParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw apiErrors.notFound();
  return value;
}

export interface ResolvedCalendar {
  account: Account;
  calendar: CalendarStore;
}

/** The account the request's access token belongs to. */
export function callerAccount(state: SandboxState, req: Request): Account {
  const email = requestContext(req).accessToken?.email;
  const account = email === undefined ? undefined : findAccount(state, email);
  if (!account) throw apiErrors.notFound();
  return account;
}

/** One of the caller's calendars, as `primary` or by id; anything else (another account's too) is 404. */
export function resolveCalendar(state: SandboxState, req: Request, calendarId: string): ResolvedCalendar {
  const account = callerAccount(state, req);
  const calendar = findCalendar(account, calendarId);
  if (!calendar) throw apiErrors.notFound();
  return { account, calendar };
}

/**
 * Checks that depend on the calendar, run after the route's scope check: a token with only
 * `calendar.events.owned*` scopes cannot reach calendars the user does not own, and writes
 * need at least writer access (403 requiredAccessLevel otherwise).
 */
export function authorizeCalendar(
  state: SandboxState,
  req: Request,
  calendar: CalendarStore,
  method: ApiMethod,
  access: 'read' | 'write',
): void {
  const token = requestContext(req).accessToken;
  if (state.config.enforceScopes && token && !scopeAllowsOnCalendar(token.scope, method, calendar.accessRole === 'owner')) {
    throw new InsufficientScopeError(method);
  }
  if (access === 'write' && ROLE_RANK[calendar.accessRole] < ROLE_RANK.writer) throw apiErrors.requiredAccessLevel();
}

function calendarEtag(calendar: CalendarStore): string {
  return `"${calendar.createdMs}${calendar.changeSeq}"`;
}

/** Changes when any calendar of the list does; for a lone primary calendar it is that calendar's etag. */
function calendarListEtag(account: Account): string {
  let created = 0;
  let changes = 0;
  for (const calendar of account.calendars.values()) {
    created = Math.max(created, calendar.createdMs);
    changes += calendar.changeSeq;
  }
  return `"${created}${changes}"`;
}

export function calendarListEntry(calendar: CalendarStore): GoogleCalendarListEntry {
  return {
    kind: 'calendar#calendarListEntry',
    etag: calendarEtag(calendar),
    id: calendar.id,
    summary: calendar.summary,
    timeZone: calendar.timeZone,
    colorId: calendar.colorId,
    backgroundColor: calendar.backgroundColor,
    foregroundColor: '#000000',
    selected: true,
    accessRole: calendar.accessRole,
    defaultReminders: calendar.defaultReminders.map((r) => ({ ...r })),
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    ...(calendar.primary ? { primary: true as const } : {}),
  };
}

function parseMaxResults(params: URLSearchParams): number {
  const raw = params.get('maxResults');
  if (raw === null) return DEFAULT_LIST_RESULTS;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw apiErrors.invalidParameter(`Invalid value '${raw}'. Values must be within the range: [1, 250]`, 'maxResults');
  }
  // Like events.list, an over-large page size is capped rather than refused.
  return Math.min(parsed, MAX_LIST_RESULTS);
}

function parseMinAccessRole(params: URLSearchParams): CalendarAccessRole | undefined {
  const raw = params.get('minAccessRole');
  if (raw === null) return undefined;
  if (!isAccessRole(raw)) throw apiErrors.invalidParameter(`Invalid value '${raw}' for minAccessRole.`, 'minAccessRole');
  return raw;
}

function rememberPage(account: Account, cursor: CalendarListCursor): string {
  const token = randomToken(18);
  account.calendarListPages.set(token, cursor);
  while (account.calendarListPages.size > MAX_LIST_PAGE_TOKENS) {
    const oldest = account.calendarListPages.keys().next().value;
    if (oldest === undefined) break;
    account.calendarListPages.delete(oldest);
  }
  return token;
}

/**
 * calendarList.list: primary first, then secondary calendars in creation order. The
 * matching ids are frozen on the first page, so later pages neither skip nor repeat.
 */
function listCalendars(account: Account, params: URLSearchParams): { items: CalendarStore[]; nextPageToken?: string } {
  const maxResults = parseMaxResults(params);
  const pageToken = params.get('pageToken');
  let cursor: CalendarListCursor;
  if (pageToken !== null && pageToken !== '') {
    const found = account.calendarListPages.get(pageToken);
    if (!found) throw apiErrors.invalidParameter('Invalid page token value.', 'pageToken');
    cursor = found;
  } else {
    const minRole = parseMinAccessRole(params);
    const ids = [...account.calendars.values()]
      .filter((calendar) => minRole === undefined || ROLE_RANK[calendar.accessRole] >= ROLE_RANK[minRole])
      .map((calendar) => calendar.id);
    cursor = { ids, offset: 0 };
  }
  const end = cursor.offset + maxResults;
  const items = cursor.ids
    .slice(cursor.offset, end)
    .map((id) => findCalendar(account, id))
    .filter((calendar): calendar is CalendarStore => calendar !== undefined);
  if (end >= cursor.ids.length) return { items };
  // Page tokens stay valid after use, so a retried page request still works.
  return { items, nextPageToken: rememberPage(account, { ids: cursor.ids, offset: end }) };
}

export function registerCalendarListRoutes(router: Router, state: SandboxState, guard: GuardFactory): void {
  router.get('/users/me/calendarList', ...guard('calendar.v3.CalendarList.List'), (req, res) => {
    const account = callerAccount(state, req);
    const page = listCalendars(account, searchParams(req));
    res.json({
      kind: 'calendar#calendarList',
      etag: calendarListEtag(account),
      ...(page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}),
      items: page.items.map(calendarListEntry),
    });
  });

  router.get('/users/me/calendarList/:calendarId', ...guard('calendar.v3.CalendarList.Get'), (req, res) => {
    const { calendar } = resolveCalendar(state, req, routeParam(req, 'calendarId'));
    res.json(calendarListEntry(calendar));
  });

  router.get('/calendars/:calendarId', ...guard('calendar.v3.Calendars.Get'), (req, res) => {
    const { calendar } = resolveCalendar(state, req, routeParam(req, 'calendarId'));
    res.json({
      kind: 'calendar#calendar',
      etag: calendarEtag(calendar),
      id: calendar.id,
      summary: calendar.summary,
      timeZone: calendar.timeZone,
      conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    });
  });
}
