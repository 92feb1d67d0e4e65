import { DateTime } from 'luxon';
import { randomToken } from '../shared/ids';
import { apiErrors, GoogleApiError } from './errors';
import { expandEvent, occursWithin } from './event-instances';
import { iCalUidOf, parseInstant, type StoredEvent } from './event-model';
import type { CalendarStore, ListSnapshot } from './state';

// events.list: filters, paging and incremental sync. A list is computed once, on
// its first page; later pages read the frozen snapshot, so concurrent writes cannot
// shift items between pages, and the last page's nextSyncToken points at the moment
// of the snapshot so those writes show up in the next incremental sync.
//
// Recurring events: with singleEvents=false a series is its master (time-filtered by
// whether any occurrence overlaps the window); with singleEvents=true it is expanded
// into instances within timeMin/timeMax, or up to EXPANSION_HORIZON_YEARS past the
// latest of now, timeMin and the series' start when timeMax is absent (Google expands
// open-ended series too; a bound keeps lists finite).
//
// Incremental sync (syncToken) with singleEvents=false returns changed masters, as
// Google does. With singleEvents=true each changed series comes back as all its
// instances from its start up to that horizon, EXDATE-removed occurrences (and every
// instance of a deleted series) with status cancelled, so that a client keyed by
// instance id can apply the delta. Instances that a shortened rule (a new COUNT or
// UNTIL) no longer produces are not reported: the old rule is not kept.

const DEFAULT_MAX_RESULTS = 250;
const MAX_RESULTS_CAP = 2500;
// Old tokens are forgotten beyond these counts; a forgotten sync token gets the same
// 410 fullSyncRequired Google gives for an expired one.
const MAX_SYNC_TOKENS = 10_000;
const MAX_PAGE_TOKENS = 1_000;
/** How far past now (or timeMin, or a later series start) an open-ended expansion reaches. */
const EXPANSION_HORIZON_YEARS = 2;

/** Parameters that Google refuses to combine with syncToken. */
const NOT_WITH_SYNC_TOKEN = [
  'timeMin',
  'timeMax',
  'q',
  'privateExtendedProperty',
  'sharedExtendedProperty',
  'orderBy',
  'updatedMin',
  'iCalUID',
] as const;

export interface ListParams {
  timeMin?: number;
  timeMax?: number;
  updatedMin?: number;
  showDeleted: boolean;
  singleEvents: boolean;
  privateProperties: Array<[string, string]>;
  sharedProperties: Array<[string, string]>;
  q?: string;
  iCalUID?: string;
  maxResults: number;
  pageToken?: string;
  orderBy?: 'startTime' | 'updated';
  syncToken?: string;
}

export interface ListPage {
  items: StoredEvent[];
  nextPageToken?: string;
  nextSyncToken?: string;
}

function parseBoolean(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  throw apiErrors.invalidParameter(`Invalid boolean value: '${value}'.`, name);
}

function parseTime(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const ms = parseInstant(value);
  if (ms === undefined) {
    throw apiErrors.invalidParameter(`Bad Request: ${name} must be an RFC 3339 timestamp with a time zone offset.`, name);
  }
  return ms;
}

function parseProperties(params: URLSearchParams, name: string): Array<[string, string]> {
  return params.getAll(name).map((entry): [string, string] => {
    const index = entry.indexOf('=');
    if (index <= 0) throw apiErrors.invalidParameter(`Invalid value '${entry}': expected propertyName=value.`, name);
    return [entry.slice(0, index), entry.slice(index + 1)];
  });
}

export function parseListParams(params: URLSearchParams): ListParams {
  const syncToken = params.get('syncToken') ?? undefined;
  if (syncToken !== undefined) {
    const clash = NOT_WITH_SYNC_TOKEN.find((name) => params.has(name));
    if (clash) throw apiErrors.invalidParameter(`Sync token cannot be combined with the ${clash} parameter.`, clash);
  }
  let maxResults = DEFAULT_MAX_RESULTS;
  const rawMax = params.get('maxResults');
  if (rawMax !== null) {
    const parsed = Number(rawMax);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw apiErrors.invalidParameter(`Invalid value '${rawMax}'. Values must be within the range: [1, 2500]`, 'maxResults');
    }
    // Google silently caps page sizes rather than refusing them.
    maxResults = Math.min(parsed, MAX_RESULTS_CAP);
  }
  const orderBy = params.get('orderBy') ?? undefined;
  if (orderBy !== undefined && orderBy !== 'startTime' && orderBy !== 'updated') {
    throw apiErrors.invalidParameter(`Invalid value '${orderBy}' for orderBy.`, 'orderBy');
  }
  const singleEvents = parseBoolean(params, 'singleEvents');
  if (orderBy === 'startTime' && !singleEvents) {
    throw new GoogleApiError(400, 'badRequest', 'The requested ordering is not available for the particular query.');
  }
  const timeMin = parseTime(params, 'timeMin');
  const timeMax = parseTime(params, 'timeMax');
  if (timeMin !== undefined && timeMax !== undefined && timeMax <= timeMin) throw apiErrors.timeRangeEmpty('timeMax');

  const result: ListParams = {
    showDeleted: parseBoolean(params, 'showDeleted'),
    singleEvents,
    privateProperties: parseProperties(params, 'privateExtendedProperty'),
    sharedProperties: parseProperties(params, 'sharedExtendedProperty'),
    maxResults,
  };
  if (timeMin !== undefined) result.timeMin = timeMin;
  if (timeMax !== undefined) result.timeMax = timeMax;
  const updatedMin = parseTime(params, 'updatedMin');
  if (updatedMin !== undefined) result.updatedMin = updatedMin;
  const q = params.get('q');
  if (q !== null && q.trim() !== '') result.q = q.trim().toLowerCase();
  const iCalUID = params.get('iCalUID');
  if (iCalUID !== null) result.iCalUID = iCalUID;
  const pageToken = params.get('pageToken');
  if (pageToken !== null && pageToken !== '') result.pageToken = pageToken;
  if (orderBy !== undefined) result.orderBy = orderBy;
  if (syncToken !== undefined) result.syncToken = syncToken;
  return result;
}

function hasProperties(actual: Record<string, string> | undefined, wanted: Array<[string, string]>): boolean {
  return wanted.every(([key, value]) => actual?.[key] === value);
}

function matchesText(event: StoredEvent, q: string): boolean {
  const { summary, description, location } = event.content;
  return [summary, description, location].some((text) => text !== undefined && text.toLowerCase().includes(q));
}

function horizon(from: number): number {
  return DateTime.fromMillis(from).plus({ years: EXPANSION_HORIZON_YEARS }).toMillis();
}

/**
 * The events as the window asks for them. Overlap: timeMin bounds the end, timeMax bounds
 * the start, both exclusive; a master overlaps when one of its occurrences does.
 */
function windowed(events: StoredEvent[], params: ListParams, now: number): StoredEvent[] {
  const from = params.timeMin ?? -Infinity;
  if (params.singleEvents) {
    return events.flatMap((event) => expandEvent(event, { from, to: params.timeMax ?? horizon(Math.max(now, from, event.startMs)) }));
  }
  if (params.timeMin === undefined && params.timeMax === undefined) return events;
  return events.filter((event) => occursWithin(event, from, params.timeMax ?? Infinity));
}

function fullListItems(calendar: CalendarStore, params: ListParams, now: number): StoredEvent[] {
  const matching = [...calendar.events.values()].filter((event) => {
    // updatedMin brings deletions since then along, whatever showDeleted says.
    const deletedAllowed = params.showDeleted || params.updatedMin !== undefined;
    if (event.status === 'cancelled' && !deletedAllowed) return false;
    if (params.updatedMin !== undefined && event.updatedMs < params.updatedMin) return false;
    if (params.iCalUID !== undefined && iCalUidOf(event) !== params.iCalUID) return false;
    if (!hasProperties(event.content.extendedProperties?.private, params.privateProperties)) return false;
    if (!hasProperties(event.content.extendedProperties?.shared, params.sharedProperties)) return false;
    if (params.q !== undefined && !matchesText(event, params.q)) return false;
    return true;
  });
  const items = windowed(matching, params, now);
  if (params.orderBy === 'startTime') {
    items.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || a.order - b.order);
  } else if (params.orderBy === 'updated') {
    items.sort((a, b) => a.updatedMs - b.updatedMs || a.changeSeq - b.changeSeq || a.startMs - b.startMs);
  } else {
    // Instances of one series share its order; they follow each other in time.
    items.sort((a, b) => a.order - b.order || a.startMs - b.startMs);
  }
  return items;
}

/** What changed since a sync token's moment, as singleEvents asks for it (see above). */
function changedItems(calendar: CalendarStore, since: number, singleEvents: boolean, now: number): StoredEvent[] {
  const changed = [...calendar.events.values()].filter((event) => event.changeSeq > since).sort((a, b) => a.changeSeq - b.changeSeq);
  if (!singleEvents) return changed;
  return changed.flatMap((event) =>
    event.series ? expandEvent(event, { from: -Infinity, to: horizon(Math.max(now, event.startMs)), includeExcluded: true }) : [event],
  );
}

function remember<V>(map: Map<string, V>, value: V, cap: number): string {
  const token = randomToken(18);
  map.set(token, value);
  while (map.size > cap) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
  return token;
}

function snapshotFor(calendar: CalendarStore, params: ListParams, now: number): ListSnapshot {
  if (params.syncToken !== undefined) {
    const since = calendar.syncTokens.get(params.syncToken);
    if (since === undefined) throw apiErrors.fullSyncRequired();
    // Incremental sync: everything written since, deletions included.
    return { items: changedItems(calendar, since, params.singleEvents, now), syncSeq: calendar.changeSeq };
  }
  return { items: fullListItems(calendar, params, now), syncSeq: calendar.changeSeq };
}

/** `now` anchors the expansion horizon of recurring events when timeMax is absent. */
export function listEvents(calendar: CalendarStore, params: ListParams, now: number): ListPage {
  let snapshot: ListSnapshot;
  let offset = 0;
  if (params.pageToken !== undefined) {
    const cursor = calendar.pageTokens.get(params.pageToken);
    if (!cursor) throw apiErrors.invalidParameter('Invalid page token value.', 'pageToken');
    snapshot = cursor.snapshot;
    offset = cursor.offset;
  } else {
    snapshot = snapshotFor(calendar, params, now);
  }
  const end = offset + params.maxResults;
  const page: ListPage = { items: snapshot.items.slice(offset, end) };
  if (end < snapshot.items.length) {
    // Page tokens stay valid after use, so a retried page request still works.
    page.nextPageToken = remember(calendar.pageTokens, { snapshot, offset: end }, MAX_PAGE_TOKENS);
  } else {
    page.nextSyncToken = remember(calendar.syncTokens, snapshot.syncSeq, MAX_SYNC_TOKENS);
  }
  return page;
}

/** Makes every sync token of the calendar unusable (next incremental sync gets 410). */
export function invalidateSyncTokens(calendar: CalendarStore): void {
  calendar.syncTokens.clear();
}
