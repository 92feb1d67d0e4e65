import type { calendar_v3 } from 'googleapis/build/src/apis/calendar';
import { DateTime } from 'luxon';
import { bearerToken, type AccessContext, type BusyWindow, type CalendarChanges, type CalendarItemChange } from '../types';
import { readFromCursor } from '../cursor-reads';
import { busyOf } from './busy-times';
import { calendarClient, withToken } from './calendar-client';
import { toProviderError } from './errors';
import { BOOKING_TAG } from './to-google-event';

// Busy times and our own events from events.list with sync tokens. singleEvents=true in both
// reads: a recurring series arrives as its instances, each with its own id, so an incremental
// read applies item by item. A sync token cannot be combined with timeMin/timeMax, so
// incremental reads return changes anywhere in the calendar and are clipped to the window here.

const PAGE_SIZE = 2500;

const utc = (t: string) => DateTime.fromISO(t, { setZone: true }).toUTC().toISO() ?? t;

function overlaps(b: { start: string; end: string }, window: BusyWindow): boolean {
  return Date.parse(b.end) > window.from.getTime() && Date.parse(b.start) < window.to.getTime();
}

function itemOf(e: calendar_v3.Schema$Event, zone: string, window: BusyWindow): CalendarItemChange | undefined {
  if (!e.id) return undefined;
  const removed = e.status === 'cancelled';
  const ours = !removed && Boolean(e.extendedProperties?.private?.[BOOKING_TAG]);
  const busy = busyOf(e, zone);
  const item: CalendarItemChange = { itemId: e.id, removed, ours, busy: busy && overlaps(busy, window) ? [busy] : [] };
  // Our events are single timed events: their own times are how a move by the user is seen.
  if (!removed && !e.recurringEventId && e.start?.dateTime && e.end?.dateTime) {
    item.start = utc(e.start.dateTime);
    item.end = utc(e.end.dateTime);
  }
  return item;
}

/** One events.list round (all pages); throws the ProviderError of a refused sync token. */
async function listAll(
  apiUrl: string,
  ctx: AccessContext,
  window: BusyWindow,
  syncToken: string | undefined,
): Promise<{ items: CalendarItemChange[]; nextSyncToken?: string }> {
  const items: CalendarItemChange[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const res = await calendarClient(apiUrl).events.list(
      {
        calendarId: ctx.calendarId,
        singleEvents: true,
        maxResults: PAGE_SIZE,
        pageToken,
        // A full read starts at the window (history before it is never busy time to us).
        ...(syncToken ? { syncToken } : { timeMin: window.from.toISOString() }),
      },
      withToken(bearerToken(ctx.credentials), ctx.signal),
    );
    const zone = res.data.timeZone ?? 'UTC';
    for (const e of res.data.items ?? []) {
      const item = itemOf(e, zone, window);
      if (item) items.push(item);
    }
    ctx.onPage?.();
    pageToken = res.data.nextPageToken ?? undefined;
    if (!pageToken) return { items, ...(res.data.nextSyncToken ? { nextSyncToken: res.data.nextSyncToken } : {}) };
  }
}

export function readGoogleChanges(apiUrl: string, ctx: AccessContext, window: BusyWindow, cursor?: string): Promise<CalendarChanges> {
  const round = async (syncToken: string | undefined) => {
    const { items, nextSyncToken } = await listAll(apiUrl, ctx, window, syncToken);
    return { items, ...(nextSyncToken ? { cursor: nextSyncToken } : {}) };
  };
  return readFromCursor(cursor, {
    incremental: round,
    full: () => round(undefined),
    // 410 fullSyncRequired: the token expired; start over with a full read.
    isExpired: (err) => toProviderError(err).details.status === 410,
    toError: toProviderError,
  });
}
