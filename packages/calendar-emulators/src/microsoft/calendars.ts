import type { Request, Router } from 'express';
import { routeParam } from '../shared/http';
import { requestContext } from './context';
import { graphErrors } from './errors';
import { defaultCalendar, findCalendar } from './event-store';
import type { GuardFactory } from './me';
import { CALENDAR_READ_PERMISSIONS } from './scopes';
import { findAccount, ownerAddress, type Account, type MailboxCalendar, type MicrosoftSandboxState } from './state';
import type { GraphCalendar, GraphEmailAddress } from './types';

// GET /me/calendars, /me/calendar and /me/calendars/{id}, plus how the event routes find
// the caller's mailbox and the calendar a path names.

export const METADATA = 'https://graph.microsoft.com/v1.0/$metadata#';

/** `https://graph.microsoft.com/v1.0/$metadata#users('<id>')`: the start of every calendar-side @odata.context. */
export function userContext(account: Account): string {
  return `${METADATA}users('${account.id}')`;
}

/** The account the request's (valid) access token belongs to. */
export function callerAccount(state: MicrosoftSandboxState, req: Request): Account {
  const email = requestContext(req).accessToken?.email;
  const account = email === undefined ? undefined : findAccount(state, email);
  if (!account) throw graphErrors.invalidToken();
  return account;
}

/** How a route addressed the calendar: `/me/...` and `/me/calendar/...` mean the default one. */
export type CalendarScope = { kind: 'me' } | { kind: 'default' } | { kind: 'calendar'; id: string };

export function calendarScope(req: Request): CalendarScope {
  const calendarId = routeParam(req, 'calendarId');
  if (calendarId !== undefined) return { kind: 'calendar', id: calendarId };
  return /^\/me\/calendar\//i.test(req.path) ? { kind: 'default' } : { kind: 'me' };
}

export function scopedCalendar(account: Account, scope: CalendarScope): MailboxCalendar {
  return scope.kind === 'calendar' ? findCalendar(account.mailbox, scope.id) : defaultCalendar(account.mailbox);
}

/** The path segment of a scope in @odata.context: `users('…')/calendars('…')`. */
export function scopeContext(account: Account, scope: CalendarScope): string {
  if (scope.kind === 'calendar') return `${userContext(account)}/calendars('${scope.id}')`;
  if (scope.kind === 'default') return `${userContext(account)}/calendar`;
  return userContext(account);
}

/** Who organizes the calendar's events: its owner, the mailbox's user unless it was shared by someone. */
export function calendarOwner(account: Account, calendar: MailboxCalendar): GraphEmailAddress {
  return calendar.owner ? { ...calendar.owner } : ownerAddress(account);
}

export function toGraphCalendar(account: Account, calendar: MailboxCalendar): GraphCalendar {
  const owner = calendarOwner(account, calendar);
  const ownedByUser = owner.address === account.email;
  return {
    id: calendar.id,
    name: calendar.name,
    color: calendar.color,
    hexColor: calendar.hexColor,
    isDefaultCalendar: calendar.isDefault,
    changeKey: calendar.changeKey,
    canShare: ownedByUser,
    canViewPrivateItems: ownedByUser,
    canEdit: calendar.canEdit,
    isRemovable: !calendar.isDefault,
    isTallyingResponses: true,
    // No online-meeting provider: Graph then ignores isOnlineMeeting on events.
    allowedOnlineMeetingProviders: [],
    defaultOnlineMeetingProvider: 'unknown',
    owner,
  };
}

export function registerCalendarRoutes(router: Router, state: MicrosoftSandboxState, guard: GuardFactory): void {
  const read = guard(CALENDAR_READ_PERMISSIONS, graphErrors.mailboxAccessDenied);

  router.get('/me/calendars', ...read, (req, res) => {
    const account = callerAccount(state, req);
    res.json({
      '@odata.context': `${userContext(account)}/calendars`,
      value: [...account.mailbox.calendars.values()].map((calendar) => toGraphCalendar(account, calendar)),
    });
  });

  router.get('/me/calendar', ...read, (req, res) => {
    const account = callerAccount(state, req);
    res.json({
      '@odata.context': `${userContext(account)}/calendar/$entity`,
      ...toGraphCalendar(account, defaultCalendar(account.mailbox)),
    });
  });

  router.get('/me/calendars/:calendarId', ...read, (req, res) => {
    const account = callerAccount(state, req);
    const calendar = scopedCalendar(account, calendarScope(req));
    res.json({ '@odata.context': `${userContext(account)}/calendars/$entity`, ...toGraphCalendar(account, calendar) });
  });
}
