import { randomToken } from '../shared/ids';
import { apiErrors, GoogleApiError } from './errors';
import { parseInstant, type StoredEvent } from './event-model';
import type { CalendarStore, ListSnapshot } from './state';

// events.list: filters, paging and incremental sync. A list is computed once, on
// its first page; later pages read the frozen snapshot, so concurrent writes cannot
// shift items between pages, and the last page's nextSyncToken points at the moment
// of the snapshot so those writes show up in the next incremental sync.

const DEFAULT_MAX_RESULTS = 250;
const MAX_RESULTS_CAP = 2500;
// Old tokens are forgotten beyond these counts; a forgotten sync token gets the same
// 410 fullSyncRequired Google gives for an expired one.
const MAX_SYNC_TOKENS = 10_000;
const MAX_PAGE_TOKENS = 1_000;

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

function fullListItems(calendar: CalendarStore, params: ListParams): StoredEvent[] {
  const items = [...calendar.events.values()].filter((event) => {
    // updatedMin brings deletions since then along, whatever showDeleted says.
    const deletedAllowed = params.showDeleted || params.updatedMin !== undefined;
    if (event.status === 'cancelled' && !deletedAllowed) return false;
    if (params.updatedMin !== undefined && event.updatedMs < params.updatedMin) return false;
    // Overlap: timeMin bounds the end, timeMax bounds the start, both exclusive.
    if (params.timeMin !== undefined && event.endMs <= params.timeMin) return false;
    if (params.timeMax !== undefined && event.startMs >= params.timeMax) return false;
    if (params.iCalUID !== undefined && `${event.id}@google.com` !== params.iCalUID) return false;
    if (!hasProperties(event.content.extendedProperties?.private, params.privateProperties)) return false;
    if (!hasProperties(event.content.extendedProperties?.shared, params.sharedProperties)) return false;
    if (params.q !== undefined && !matchesText(event, params.q)) return false;
    return true;
  });
  if (params.orderBy === 'startTime') {
    items.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || a.order - b.order);
  } else if (params.orderBy === 'updated') {
    items.sort((a, b) => a.updatedMs - b.updatedMs || a.changeSeq - b.changeSeq);
  } else {
    items.sort((a, b) => a.order - b.order);
  }
  return items;
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

function snapshotFor(calendar: CalendarStore, params: ListParams): ListSnapshot {
  if (params.syncToken !== undefined) {
    const since = calendar.syncTokens.get(params.syncToken);
    if (since === undefined) throw apiErrors.fullSyncRequired();
    // Incremental sync: everything written since, deletions included.
    const items = [...calendar.events.values()]
      .filter((event) => event.changeSeq > since)
      .sort((a, b) => a.changeSeq - b.changeSeq);
    return { items, syncSeq: calendar.changeSeq };
  }
  return { items: fullListItems(calendar, params), syncSeq: calendar.changeSeq };
}

export function listEvents(calendar: CalendarStore, params: ListParams): ListPage {
  let snapshot: ListSnapshot;
  let offset = 0;
  if (params.pageToken !== undefined) {
    const cursor = calendar.pageTokens.get(params.pageToken);
    if (!cursor) throw apiErrors.invalidParameter('Invalid page token value.', 'pageToken');
    snapshot = cursor.snapshot;
    offset = cursor.offset;
  } else {
    snapshot = snapshotFor(calendar, params);
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
