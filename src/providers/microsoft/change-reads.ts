import { bearerToken, type AccessContext, type BusyWindow, type CalendarChanges, type CalendarItemChange } from '../types';
import { readFromCursor } from '../cursor-reads';
import { asUtc, busyOf, isOurs, type GraphBusyEvent } from './busy-times';
import { toProviderError } from './errors';
import { graphClient } from './graph-client';

// Busy times and our own events from calendarView/delta. The first round fixes the window and
// lists every occurrence in it; its deltaLink is the cursor, and following it returns only what
// changed since (deleted items as `@removed`). Delta takes no $select/$expand, so our events
// are known by their transactionId (see event-tag.ts).

const PAGE_PREFERENCE = 'odata.maxpagesize=500';

interface DeltaEvent extends GraphBusyEvent {
  id?: string;
  type?: string;
  '@removed'?: { reason?: string };
}

interface DeltaPage {
  value?: DeltaEvent[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

function itemOf(e: DeltaEvent, window: BusyWindow): CalendarItemChange | undefined {
  if (!e.id) return undefined;
  if (e['@removed'] || e.isCancelled) return { itemId: e.id, removed: true, ours: false, busy: [] };
  const busy = busyOf(e);
  const inWindow = busy && Date.parse(busy.end) > window.from.getTime() && Date.parse(busy.start) < window.to.getTime();
  const item: CalendarItemChange = { itemId: e.id, removed: false, ours: isOurs(e), busy: busy && inWindow ? [busy] : [] };
  // Our events are single instances: their own times are how a move by the user is seen.
  if ((e.type === undefined || e.type === 'singleInstance') && e.start?.dateTime && e.end?.dateTime) {
    item.start = asUtc(e.start.dateTime);
    item.end = asUtc(e.end.dateTime);
  }
  return item;
}

/**
 * The SDK takes absolute links only on Graph's own hosts: a link on the configured Graph URL
 * (the sandbox's http://127.0.0.1) is passed as the path and query below it.
 */
function linkPath(link: string, graphUrl: string): string {
  const url = new URL(link, graphUrl);
  const base = new URL(graphUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return url.origin === base.origin && url.pathname.startsWith(`${prefix}/`) ? `${url.pathname.slice(prefix.length)}${url.search}` : link;
}

/** Follows nextLinks from `first` to the deltaLink. */
async function readRound(
  graphUrl: string,
  ctx: AccessContext,
  window: BusyWindow,
  first: string,
  query?: Record<string, string>,
): Promise<{ items: CalendarItemChange[]; deltaLink?: string }> {
  const client = graphClient(graphUrl, bearerToken(ctx.credentials), 'UTC', ctx.signal);
  const items: CalendarItemChange[] = [];
  let request = client.api(linkPath(first, graphUrl)).header('Prefer', PAGE_PREFERENCE);
  if (query) request = request.query(query);
  let page = (await request.get()) as DeltaPage;
  for (;;) {
    ctx.onPage?.();
    for (const e of page.value ?? []) {
      const item = itemOf(e, window);
      if (item) items.push(item);
    }
    const next = page['@odata.nextLink'];
    if (!next) return { items, ...(page['@odata.deltaLink'] ? { deltaLink: page['@odata.deltaLink'] } : {}) };
    page = (await client.api(linkPath(next, graphUrl)).header('Prefer', PAGE_PREFERENCE).get()) as DeltaPage;
  }
}

function isExpiredState(err: unknown): boolean {
  const e = toProviderError(err);
  // 410 / syncStateNotFound: expired; syncStateInvalid: a token Graph no longer accepts.
  return e.details.status === 410 || /syncState(NotFound|Invalid)/i.test(e.details.reason ?? '');
}

export function readGraphChanges(graphUrl: string, ctx: AccessContext, window: BusyWindow, cursor?: string): Promise<CalendarChanges> {
  const round = async (first: string, query?: Record<string, string>) => {
    const { items, deltaLink } = await readRound(graphUrl, ctx, window, first, query);
    return { items, ...(deltaLink ? { cursor: deltaLink } : {}) };
  };
  const path =
    ctx.calendarId === 'primary' ? '/me/calendarView/delta' : `/me/calendars/${encodeURIComponent(ctx.calendarId)}/calendarView/delta`;
  return readFromCursor(cursor, {
    incremental: (deltaLink) => round(deltaLink),
    full: () => round(path, { startDateTime: window.from.toISOString(), endDateTime: window.to.toISOString() }),
    isExpired: isExpiredState,
    toError: toProviderError,
  });
}
