import { randomToken } from '../shared/ids';
import { graphErrors } from './errors';
import { eventsInWindow } from './event-store';
import { queryValue } from './odata';
import type { DeltaCursor, DeltaItem, DeltaState, Mailbox } from './state';
import { parseQueryInstant } from './time-zones';

// calendarView and calendarView/delta: the events of a calendar overlapping a window, and
// the rounds of changes to that window. A round is computed once, when its first page is
// asked for; later pages (`$skiptoken`) read the frozen list, and the last page's
// `$deltatoken` remembers which events the client then holds, so the next round reports
// created and changed events in full and those that were deleted or left the window as
// `@removed`. Forgotten or invalidated tokens get 410 SyncStateNotFound.

const MAX_DELTA_TOKENS = 1_000;
const MAX_SKIP_TOKENS = 1_000;

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

const WINDOW_REQUIRED = 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.';

/** `startDateTime` and `endDateTime` (both required; read as UTC without an offset). */
export function parseWindow(params: URLSearchParams): TimeWindow {
  const rawStart = queryValue(params, 'startDateTime');
  const rawEnd = queryValue(params, 'endDateTime');
  if (rawStart === undefined || rawEnd === undefined || rawStart.trim() === '' || rawEnd.trim() === '') {
    throw graphErrors.invalidParameter(WINDOW_REQUIRED);
  }
  const startMs = parseQueryInstant(rawStart);
  const endMs = parseQueryInstant(rawEnd);
  if (startMs === undefined)
    throw graphErrors.invalidParameter(`The value '${rawStart}' of parameter 'StartDateTime' is not a valid date-time.`);
  if (endMs === undefined) throw graphErrors.invalidParameter(`The value '${rawEnd}' of parameter 'EndDateTime' is not a valid date-time.`);
  if (endMs <= startMs) throw graphErrors.invalidParameter('The EndDateTime parameter must be later than the StartDateTime parameter.');
  return { startMs, endMs };
}

function remember<V>(map: Map<string, V>, value: V, cap: number): string {
  const token = randomToken(36);
  map.set(token, value);
  while (map.size > cap) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
  return token;
}

/** The first round of a window: every event in it. */
function initialRound(mailbox: Mailbox, calendarId: string, window: TimeWindow): DeltaCursor {
  const events = eventsInWindow(mailbox, calendarId, window.startMs, window.endMs);
  return {
    items: events.map((event) => ({ event })),
    offset: 0,
    next: { calendarId, ...window, seq: mailbox.changeSeq, known: new Set(events.map((event) => event.id)) },
  };
}

/** A later round: what changed in the window since `since` was handed out. */
function changesSince(mailbox: Mailbox, since: DeltaState): DeltaCursor {
  const current = eventsInWindow(mailbox, since.calendarId, since.startMs, since.endMs);
  const currentIds = new Set(current.map((event) => event.id));
  const changed: DeltaItem[] = current
    .filter((event) => event.changeSeq > since.seq || !since.known.has(event.id))
    .sort((a, b) => a.changeSeq - b.changeSeq)
    .map((event) => ({ event }));
  const removed: DeltaItem[] = [...since.known].filter((id) => !currentIds.has(id)).map((removedId) => ({ removedId }));
  return {
    items: [...changed, ...removed],
    offset: 0,
    next: { ...since, seq: mailbox.changeSeq, known: currentIds },
  };
}

export interface DeltaPage {
  items: readonly DeltaItem[];
  /** Set when more pages follow. */
  skipToken?: string;
  /** Set on the last page of the round. */
  deltaToken?: string;
}

/**
 * One page of `calendarView/delta`: from `$skiptoken` (the rest of a round), from
 * `$deltatoken` (a new round of changes) or, with neither, a first round over the window.
 */
export function deltaPage(mailbox: Mailbox, calendarId: string, params: URLSearchParams, pageSize: number): DeltaPage {
  const skipToken = queryValue(params, '$skiptoken');
  const deltaToken = queryValue(params, '$deltatoken');
  let cursor: DeltaCursor;
  if (skipToken !== undefined) {
    const found = mailbox.skipTokens.get(skipToken);
    if (!found || found.next.calendarId !== calendarId) throw graphErrors.syncStateNotFound();
    cursor = found;
  } else if (deltaToken !== undefined) {
    const since = mailbox.deltaTokens.get(deltaToken);
    if (!since || since.calendarId !== calendarId) throw graphErrors.syncStateNotFound();
    cursor = changesSince(mailbox, since);
  } else {
    cursor = initialRound(mailbox, calendarId, parseWindow(params));
  }
  const end = cursor.offset + pageSize;
  const page: DeltaPage = { items: cursor.items.slice(cursor.offset, end) };
  if (end < cursor.items.length) {
    // Skip tokens stay valid after use, so a retried page request still works.
    page.skipToken = remember(mailbox.skipTokens, { ...cursor, offset: end }, MAX_SKIP_TOKENS);
  } else {
    page.deltaToken = remember(mailbox.deltaTokens, cursor.next, MAX_DELTA_TOKENS);
  }
  return page;
}

/** Every delta and skip token of the mailbox stops working (410 SyncStateNotFound). */
export function invalidateDeltaTokens(mailbox: Mailbox): number {
  const count = mailbox.deltaTokens.size + mailbox.skipTokens.size;
  mailbox.deltaTokens.clear();
  mailbox.skipTokens.clear();
  return count;
}
