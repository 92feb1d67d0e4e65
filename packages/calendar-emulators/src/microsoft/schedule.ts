import type { Router } from 'express';
import { calendarScope, callerAccount, METADATA, scopedCalendar } from './calendars';
import { graphErrors } from './errors';
import { mailboxSchedule, unknownSchedule } from './free-busy';
import type { GuardFactory } from './me';
import { announcePreferences, readPreferences } from './odata';
import { parseScheduleRequest } from './schedule-request';
import { CALENDAR_READ_PERMISSIONS } from './scopes';
import { findAccount, type MicrosoftSandboxState } from './state';

// calendar: getSchedule, bound to the default calendar (`/me/calendar/getSchedule`) or,
// as the action is bound to any calendar, to one by id (which must exist; the answer is
// the same). Every mailbox of the sandbox is one organisation: any of them can be asked
// for. Times are in UTC unless `Prefer: outlook.timezone` names a zone, whatever zone the
// request's startTime used. Same guard as calendarView: token, throttling, a calendar
// read permission (403 ErrorAccessDenied otherwise).

export function registerScheduleRoutes(router: Router, state: MicrosoftSandboxState, guard: GuardFactory): void {
  const read = guard(CALENDAR_READ_PERMISSIONS, graphErrors.mailboxAccessDenied);

  router.post(['/me/calendar/getSchedule', '/me/calendars/:calendarId/getSchedule'], ...read, (req, res) => {
    const account = callerAccount(state, req);
    scopedCalendar(account, calendarScope(req));
    // Preferences first: an unknown outlook.timezone is refused before anything else.
    const preferences = readPreferences(req);
    const request = parseScheduleRequest(req.body as unknown);
    const value = request.schedules.map((scheduleId) => {
      const owner = findAccount(state, scheduleId);
      return owner ? mailboxSchedule(scheduleId, owner, request, preferences.zone, owner === account) : unknownSchedule(scheduleId);
    });
    announcePreferences(res, preferences);
    res.json({ '@odata.context': `${METADATA}Collection(microsoft.graph.scheduleInformation)`, value });
  });
}
