import type { Request, Response } from 'express';
import { searchParams } from '../shared/http';
import { graphErrors } from './errors';
import { normalizeExtendedPropertyId, type ExtendedPropertyExpansion, type StoredEvent } from './event-model';
import { resolveZone, UTC_ZONE, type ResolvedZone } from './time-zones';
import type { GraphEvent } from './types';

// The OData query options and Prefer preferences the calendar routes understand:
// $select, $top, $skip, $expand and $filter on extended properties, and
// `Prefer: outlook.timezone`, `IdType`, `odata.maxpagesize`.

// --- Prefer --------------------------------------------------------------------

export interface Preferences {
  /** Where `start`/`end` are rendered: UTC unless `outlook.timezone` named a zone. */
  zone: ResolvedZone;
  /** `odata.maxpagesize`, if given. */
  maxPageSize?: number;
  /** What goes into `Preference-Applied`. */
  applied: string[];
}

/** Splits at `separator` outside double quotes (backslash escapes inside them). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (quoted && char === '\\') {
      current += char + (text[i + 1] ?? '');
      i += 1;
    } else if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      if (char === '"') quoted = !quoted;
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** `a=1, b="x, y"; p=q` → [['a','1'], ['b','x, y']]: preference names and values, parameters dropped. */
function preferenceList(header: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of splitOutsideQuotes(header, ',')) {
    const [preference = ''] = splitOutsideQuotes(part, ';');
    const equals = preference.indexOf('=');
    const name = (equals === -1 ? preference : preference.slice(0, equals)).trim();
    const raw = equals === -1 ? '' : preference.slice(equals + 1).trim();
    const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (name !== '') out.push([name, value]);
  }
  return out;
}

/**
 * Reads the Prefer header(s). An `outlook.timezone` Graph does not know is a 400
 * TimeZoneNotSupportedException (as observed at Graph), not a silent fallback to UTC.
 */
export function readPreferences(req: Request): Preferences {
  const preferences: Preferences = { zone: UTC_ZONE, applied: [] };
  const header = req.get('prefer');
  if (header === undefined) return preferences;
  for (const [name, value] of preferenceList(header)) {
    switch (name.toLowerCase()) {
      case 'outlook.timezone': {
        const zone = resolveZone(value);
        if (!zone) throw graphErrors.timeZoneNotSupported(value);
        preferences.zone = zone;
        preferences.applied.push(`outlook.timezone="${zone.name}"`);
        break;
      }
      case 'idtype':
        // Ids never change in the sandbox, so immutable ids are what everyone gets anyway.
        if (value.toLowerCase() === 'immutableid') preferences.applied.push('IdType="ImmutableId"');
        break;
      case 'odata.maxpagesize': {
        const size = Number(value);
        if (Number.isInteger(size) && size > 0) preferences.maxPageSize = Math.min(size, MAX_PAGE_SIZE);
        break;
      }
      default:
        break;
    }
  }
  return preferences;
}

/** Sets `Preference-Applied` for what was honoured (extra entries, e.g. a page size, come after). */
export function announcePreferences(res: Response, preferences: Preferences, extra: readonly string[] = []): void {
  const applied = [...preferences.applied, ...extra];
  if (applied.length > 0) res.set('Preference-Applied', applied.join(', '));
}

// --- Query options -------------------------------------------------------------

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 1000;

/** A query parameter by name, ignoring case (`startDateTime`, `StartDateTime`). */
export function queryValue(params: URLSearchParams, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of params) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

type EventProperty = Exclude<keyof GraphEvent, '@odata.context' | '@odata.etag' | 'singleValueExtendedProperties'>;

const EVENT_PROPERTIES: readonly EventProperty[] = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'transactionId',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'iCalUId',
  'reminderMinutesBeforeStart',
  'isReminderOn',
  'hasAttachments',
  'subject',
  'bodyPreview',
  'importance',
  'sensitivity',
  'isAllDay',
  'isCancelled',
  'isOrganizer',
  'responseRequested',
  'seriesMasterId',
  'showAs',
  'type',
  'webLink',
  'onlineMeetingUrl',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'allowNewTimeProposals',
  'isDraft',
  'hideAttendees',
  'recurrence',
  'onlineMeeting',
  'responseStatus',
  'body',
  'start',
  'end',
  'location',
  'locations',
  'attendees',
  'organizer',
  'originalStart',
];

const PROPERTY_BY_LOWER_NAME = new Map(EVENT_PROPERTIES.map((name) => [name.toLowerCase(), name]));

/** `$select=subject,start` (case-insensitive names); undefined when absent. */
export function parseSelect(params: URLSearchParams): EventProperty[] | undefined {
  const select = queryValue(params, '$select');
  if (select === undefined) return undefined;
  const names = select
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const name = PROPERTY_BY_LOWER_NAME.get(item.toLowerCase());
      if (!name) throw graphErrors.parseUri(`Could not find a property named '${item}' on type 'microsoft.graph.event'.`);
      return name;
    });
  return names.length > 0 ? names : undefined;
}

/** The selected properties of a rendered event; `@odata.etag` and `id` always stay, as at Graph. */
export function project(event: GraphEvent, select: readonly EventProperty[] | undefined): Record<string, unknown> {
  if (select === undefined) return { ...event };
  const out: Record<string, unknown> = { '@odata.etag': event['@odata.etag'], id: event.id };
  for (const name of select) out[name] = event[name];
  if (event.singleValueExtendedProperties !== undefined) out['singleValueExtendedProperties'] = event.singleValueExtendedProperties;
  return out;
}

/** `$top` (1–1000) and `$skip`; the page size falls back to `odata.maxpagesize`, then 10. */
export function parsePaging(params: URLSearchParams, preferences: Preferences): { top: number; skip: number } {
  const rawTop = queryValue(params, '$top');
  const rawSkip = queryValue(params, '$skip');
  let top = preferences.maxPageSize ?? DEFAULT_PAGE_SIZE;
  if (rawTop !== undefined) {
    const parsed = Number(rawTop);
    if (!/^\d+$/.test(rawTop) || parsed < 1) throw graphErrors.badRequest(`Invalid value '${rawTop}' for $top query option.`);
    top = Math.min(parsed, MAX_PAGE_SIZE);
  }
  let skip = 0;
  if (rawSkip !== undefined) {
    if (!/^\d+$/.test(rawSkip)) throw graphErrors.badRequest(`Invalid value '${rawSkip}' for $skip query option.`);
    skip = Number(rawSkip);
  }
  return { top, skip };
}

// --- OData string literals and the two filter shapes -------------------------------

/** Reads `'…'` (with `''` as an escaped quote) at `index`; returns the value and the index after it. */
function readLiteral(text: string, index: number): { value: string; end: number } | undefined {
  if (text[index] !== "'") return undefined;
  let value = '';
  let i = index + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += char;
    i += 1;
  }
  return undefined;
}

interface Comparison {
  field: string;
  value: string;
}

/**
 * `<prefix>field eq 'literal'` clauses joined by `joiner` (`and` / `or`), nothing else.
 * `prefix` is the lambda variable plus `/` inside `any(…)`, empty in `$expand`'s filter.
 */
function parseComparisons(text: string, prefix: string, joiner: 'and' | 'or'): Comparison[] | undefined {
  const clauses: Comparison[] = [];
  let index = 0;
  const skipSpace = (): void => {
    while (index < text.length && /\s/.test(text[index] ?? '')) index += 1;
  };
  for (;;) {
    skipSpace();
    const head = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\w+)\\s+eq\\s+`, 'i').exec(text.slice(index));
    if (!head) return undefined;
    index += head[0].length;
    const literal = readLiteral(text, index);
    if (!literal) return undefined;
    clauses.push({ field: (head[1] ?? '').toLowerCase(), value: literal.value });
    index = literal.end;
    skipSpace();
    if (index >= text.length) return clauses;
    const next = new RegExp(`^${joiner}\\s+`, 'i').exec(text.slice(index));
    if (!next) return undefined;
    index += next[0].length;
  }
}

/** What `$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')` asks for. */
export interface ExtendedPropertyFilter {
  id: string;
  /** Undefined: any value (the event merely has the property). */
  value?: string;
}

const UNSUPPORTED_FILTER =
  "Invalid filter clause: the sandbox understands $filter=singleValueExtendedProperties/Any(ep: ep/id eq '<id>' and ep/value eq '<value>') only.";

export function parseExtendedPropertyFilter(params: URLSearchParams): ExtendedPropertyFilter | undefined {
  const filter = queryValue(params, '$filter');
  if (filter === undefined || filter.trim() === '') return undefined;
  const lambda = /^\s*singleValueExtendedProperties\s*\/\s*any\s*\(\s*(\w+)\s*:\s*([\s\S]*)\)\s*$/i.exec(filter);
  if (!lambda) throw graphErrors.badRequest(UNSUPPORTED_FILTER);
  const clauses = parseComparisons(lambda[2] ?? '', `${lambda[1] ?? ''}/`, 'and') ?? [];
  const idClauses = clauses.filter((clause) => clause.field === 'id');
  const valueClauses = clauses.filter((clause) => clause.field === 'value');
  const [idClause] = idClauses;
  // One id, at most one value, nothing else.
  if (!idClause || idClauses.length > 1 || valueClauses.length > 1 || idClauses.length + valueClauses.length !== clauses.length) {
    throw graphErrors.badRequest(UNSUPPORTED_FILTER);
  }
  const id = normalizeExtendedPropertyId(idClause.value);
  if (id === undefined) throw graphErrors.invalidProperty(`The extended property id '${idClause.value}' is not valid.`);
  const value = valueClauses[0]?.value;
  return value === undefined ? { id } : { id, value };
}

export function matchesExtendedPropertyFilter(event: StoredEvent, filter: ExtendedPropertyFilter | undefined): boolean {
  if (!filter) return true;
  return event.content.extendedProperties.some(
    (property) => property.id === filter.id && (filter.value === undefined || property.value === filter.value),
  );
}

/**
 * `$expand=singleValueExtendedProperties($filter=id eq '…')` (ids may be or-ed); a bare
 * `singleValueExtendedProperties` expands them all. Undefined when not asked for.
 */
export function parseExpand(params: URLSearchParams): ExtendedPropertyExpansion | undefined {
  const expand = queryValue(params, '$expand');
  if (expand === undefined || expand.trim() === '') return undefined;
  const match = /^\s*singleValueExtendedProperties\s*(?:\(\s*\$filter\s*=\s*([\s\S]*)\))?\s*$/i.exec(expand);
  if (!match) {
    throw graphErrors.badRequest("The sandbox can $expand only singleValueExtendedProperties($filter=id eq '<id>').");
  }
  if (match[1] === undefined) return {};
  const clauses = parseComparisons(match[1], '', 'or');
  if (!clauses || clauses.some((clause) => clause.field !== 'id')) {
    throw graphErrors.badRequest("Invalid $expand filter: expected id eq '<id>' (or several joined by or).");
  }
  const ids = clauses.map((clause) => {
    const id = normalizeExtendedPropertyId(clause.value);
    if (id === undefined) throw graphErrors.invalidProperty(`The extended property id '${clause.value}' is not valid.`);
    return id;
  });
  return { ids };
}

/** The request's URL with query parameters replaced, for `@odata.nextLink` (`$` left readable). */
export function linkWith(req: Request, origin: string, replace: Record<string, string | undefined>, keep = true): string {
  const params = keep ? searchParams(req) : new URLSearchParams();
  for (const [name, value] of Object.entries(replace)) {
    for (const key of [...params.keys()]) if (key.toLowerCase() === name.toLowerCase()) params.delete(key);
    if (value !== undefined) params.set(name, value);
  }
  const query = params.toString().replace(/%24/g, '$');
  return `${origin}${req.baseUrl}${req.path}${query === '' ? '' : `?${query}`}`;
}
