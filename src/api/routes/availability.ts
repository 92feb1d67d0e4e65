import { Router } from 'express';
import type { BusyStore, CalendarAccountBusy } from '../../db/busy-times';
import { mergeSpans, overlapping, type Span } from '../../domain/busy';
import { accountCoverage } from '../../domain/busy-calendars';
import { validationError } from '../errors';
import { availabilityCheckBodySchema, busyQuerySchema, idSchema } from '../schemas';
import { availabilityCheckSchema, userBusySchema } from '../responses/availability';
import { sendJson } from '../send-json';
import { parseBody, parseParam } from '../validate';

const userIdSchema = idSchema('userId');
const iso = (ms: number) => new Date(ms).toISOString();

/** Per connection: how fresh the busy times of its counted calendars are and whether they all cover the asked range. */
function freshness(c: CalendarAccountBusy, from: number, to: number) {
  const coverage = accountCoverage(c.calendars, from, to);
  return {
    connectionId: c.connectionId,
    provider: c.provider,
    syncedAt: coverage.syncedAt?.toISOString() ?? null,
    covers: coverage.covers,
    lastError: coverage.lastError,
  };
}

function spansOf(calendars: CalendarAccountBusy[]): Span[] {
  return mergeSpans(calendars.flatMap((c) => c.intervals.map((i) => ({ start: i.start.getTime(), end: i.end.getTime() }))));
}

/**
 * Busy times for the booking system: a user's merged busy intervals (events in their calendars
 * that this service did not write), and a check of a proposed slot against several users.
 */
export function availabilityRoutes(busy: BusyStore): Router {
  const router = Router();

  router.get('/v1/users/:userId/busy', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const query = busyQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const from = Date.parse(query.data.from);
    const to = Date.parse(query.data.to);
    const calendars = await busy.forUser(userId, new Date(from), new Date(to));
    sendJson(res, 200, userBusySchema, {
      userId,
      from: iso(from),
      to: iso(to),
      busy: spansOf(calendars).map((s) => ({ start: iso(Math.max(s.start, from)), end: iso(Math.min(s.end, to)) })),
      calendars: calendars.map((c) => freshness(c, from, to)),
    });
  });

  router.post('/v1/availability/check', async (req, res) => {
    const body = parseBody(req, availabilityCheckBodySchema);
    const start = Date.parse(body.start);
    const end = Date.parse(body.end);
    const users = await Promise.all(
      [...new Set(body.userIds)].map(async (userId) => {
        const calendars = await busy.forUser(userId, new Date(start), new Date(end));
        const conflicts = overlapping(spansOf(calendars), start, end).map((s) => ({ start: iso(s.start), end: iso(s.end) }));
        const fresh = calendars.map((c) => freshness(c, start, end));
        // Without a calendar that covers the slot, "no conflict" would be a guess.
        const known = fresh.length > 0 && fresh.every((c) => c.covers);
        return { userId, conflicts, known, calendars: fresh };
      }),
    );
    sendJson(res, 200, availabilityCheckSchema, {
      start: iso(start),
      end: iso(end),
      available: users.every((u) => u.conflicts.length === 0),
      users,
    });
  });

  return router;
}
