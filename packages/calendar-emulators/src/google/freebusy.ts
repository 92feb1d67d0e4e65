import type { Router } from 'express';
import { busySpans } from './busy-time';
import { callerAccount, type GuardFactory } from './calendar-list';
import { localDateTime } from './event-instances';
import { parseFreeBusyRequest } from './freebusy-request';
import { findCalendar, type SandboxState } from './state';

// freeBusy.query: the busy periods of the caller's calendars. It goes through the same
// guard as every other call (token, per-user rate limit, scopes; faults and request
// counting run before it), and it needs a freebusy or read scope, which
// `calendar.events` alone is not. Only the caller's own calendars (`primary` and their
// ids) can be seen; any other id, as for a calendar Google does not share with the
// caller, gets a per-calendar notFound rather than failing the query.

type CalendarAnswer = { busy: Array<{ start: string; end: string }> } | { errors: Array<{ domain: string; reason: string }>; busy: [] };

export function registerFreeBusyRoutes(router: Router, state: SandboxState, guard: GuardFactory): void {
  router.post('/freeBusy', ...guard('calendar.v3.Freebusy.Query'), (req, res) => {
    const account = callerAccount(state, req);
    const query = parseFreeBusyRequest(req.body as unknown);
    const calendars: Record<string, CalendarAnswer> = {};
    for (const id of query.ids) {
      const calendar = findCalendar(account, id);
      calendars[id] = calendar
        ? {
            busy: busySpans(calendar, query.timeMinMs, query.timeMaxMs).map((span) => ({
              start: localDateTime(span.startMs, query.timeZone),
              end: localDateTime(span.endMs, query.timeZone),
            })),
          }
        : { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
    }
    res.json({
      kind: 'calendar#freeBusy',
      // The range is echoed in UTC with milliseconds whatever the request's offsets were.
      timeMin: new Date(query.timeMinMs).toISOString(),
      timeMax: new Date(query.timeMaxMs).toISOString(),
      calendars,
    });
  });
}
