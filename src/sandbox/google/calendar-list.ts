import type { Request, RequestHandler, Router } from 'express';
import { requestContext } from './context';
import { apiErrors } from './errors';
import type { ApiMethod } from './scopes';
import { findAccount, normalizeEmail, type Account, type SandboxState } from './state';

// calendarList.get/list and calendars.get for the one (primary) calendar each account has.

export const CALENDAR_TIME_ZONE = 'UTC';
export const DEFAULT_REMINDERS = [{ method: 'popup', minutes: 10 }] as const;

export type GuardFactory = (method: ApiMethod) => RequestHandler[];

export function routeParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw apiErrors.notFound();
  return value;
}

/** The caller's own calendar, addressed as `primary` or by its e-mail; anything else is 404. */
export function resolveCalendarAccount(state: SandboxState, req: Request, calendarId: string): Account {
  const email = requestContext(req).accessToken?.email;
  const account = email === undefined ? undefined : findAccount(state, email);
  if (!account) throw apiErrors.notFound();
  if (calendarId !== 'primary' && normalizeEmail(calendarId) !== account.email) throw apiErrors.notFound();
  return account;
}

function calendarEtag(account: Account): string {
  return `"${account.calendar.createdMs}${account.calendar.changeSeq}"`;
}

export function calendarListEntry(account: Account): Record<string, unknown> {
  return {
    kind: 'calendar#calendarListEntry',
    etag: calendarEtag(account),
    id: account.email,
    summary: account.email,
    timeZone: CALENDAR_TIME_ZONE,
    colorId: '14',
    backgroundColor: '#9fe1e7',
    foregroundColor: '#000000',
    selected: true,
    accessRole: 'owner',
    defaultReminders: DEFAULT_REMINDERS.map((r) => ({ ...r })),
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    primary: true,
  };
}

export function registerCalendarListRoutes(router: Router, state: SandboxState, guard: GuardFactory): void {
  router.get('/users/me/calendarList', ...guard('calendar.v3.CalendarList.List'), (req, res) => {
    const account = resolveCalendarAccount(state, req, 'primary');
    res.json({
      kind: 'calendar#calendarList',
      etag: calendarEtag(account),
      items: [calendarListEntry(account)],
    });
  });

  router.get('/users/me/calendarList/:calendarId', ...guard('calendar.v3.CalendarList.Get'), (req, res) => {
    const account = resolveCalendarAccount(state, req, routeParam(req, 'calendarId'));
    res.json(calendarListEntry(account));
  });

  router.get('/calendars/:calendarId', ...guard('calendar.v3.Calendars.Get'), (req, res) => {
    const account = resolveCalendarAccount(state, req, routeParam(req, 'calendarId'));
    res.json({
      kind: 'calendar#calendar',
      etag: calendarEtag(account),
      id: account.email,
      summary: account.email,
      timeZone: CALENDAR_TIME_ZONE,
      conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    });
  });
}
