import { graphErrors } from './errors';
import { parseRecurrence, toGraphRecurrence, type Recurrence } from './recurrence';
import { firstOccurrence } from './recurrence-expansion';
import {
  formatUtcTimestamp,
  formatZonedDateTime,
  isMidnight,
  parseZonedDateTime,
  resolveZone,
  UTC_ZONE,
  type ResolvedZone,
} from './time-zones';
import type {
  GraphBodyType,
  GraphChangeType,
  GraphEmailAddress,
  GraphEvent,
  GraphImportance,
  GraphItemBody,
  GraphSensitivity,
  GraphShowAs,
  GraphSingleValueExtendedProperty,
  JsonObject,
  JsonValue,
} from './types';

// Validation and serialisation of Graph events: what `POST /me/events` and `PATCH
// /me/events/{id}` accept, and the default property set Graph answers with.

const EVENT_TYPE = 'microsoft.graph.event';

/** A moment of an event: the instant and the zone the caller gave it in (Graph's originalStartTimeZone). */
export interface EventTime {
  ms: number;
  zone: ResolvedZone;
}

/** The client-writable part of an event, after validation. */
export interface EventContent {
  subject: string;
  body: GraphItemBody;
  start: EventTime;
  end: EventTime;
  isAllDay: boolean;
  location: string;
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  showAs: GraphShowAs;
  importance: GraphImportance;
  sensitivity: GraphSensitivity;
  categories: string[];
  responseRequested: boolean;
  allowNewTimeProposals: boolean;
  hideAttendees: boolean;
  /** Stored and echoed verbatim (the sandbox sends no invitations). */
  attendees: JsonValue[];
  locations: JsonValue[];
  /** Ids normalized (see `normalizeExtendedPropertyId`), each at most once, in first-write order. */
  extendedProperties: GraphSingleValueExtendedProperty[];
  /** Set on series masters (whose start and end are then those of the first occurrence). */
  recurrence: Recurrence | null;
}

/** An occurrence turned into an exception: the PATCH bodies applied to it, in order. */
export interface OccurrenceException {
  originalStartMs: number;
  patches: readonly JsonObject[];
}

/** What happened to single occurrences of a series master. */
export interface SeriesState {
  /** Original starts of deleted occurrences. */
  cancelled: readonly number[];
  exceptions: readonly OccurrenceException[];
}

/** Marks an expanded occurrence (never stored: made from its master when asked for). */
export interface OccurrenceRef {
  seriesMasterId: string;
  originalStartMs: number;
  isException: boolean;
}

/** An event of a mailbox. Writes replace the object, so snapshots holding an old one stay intact. */
export interface StoredEvent {
  id: string;
  calendarId: string;
  changeKey: string;
  /** The mailbox's change counter at the last write. */
  changeSeq: number;
  /** Creation order, the default list order. */
  order: number;
  createdMs: number;
  lastModifiedMs: number;
  iCalUId: string;
  transactionId: string | null;
  content: EventContent;
  /** Series masters only, once an occurrence was deleted or changed. */
  series?: SeriesState;
  /** Expanded occurrences only. */
  occurrence?: OccurrenceRef;
}

/** A write to a mailbox's events, as change notifications report it. */
export interface EventChange {
  changeType: GraphChangeType;
  /** The event after the write (before it, for a deletion); for occurrence writes, the series master. */
  event: StoredEvent;
}

const SHOW_AS: readonly GraphShowAs[] = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'];
const IMPORTANCE: readonly GraphImportance[] = ['low', 'normal', 'high'];
const SENSITIVITY: readonly GraphSensitivity[] = ['normal', 'personal', 'private', 'confidential'];
const BODY_TYPES: readonly GraphBodyType[] = ['text', 'html'];

/** Properties Graph computes; a body that echoes them back (a GET turned into a PATCH) is not refused. */
const READ_ONLY_PROPERTIES = new Set([
  '@odata.context',
  '@odata.etag',
  '@odata.type',
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'iCalUId',
  'hasAttachments',
  'bodyPreview',
  'isCancelled',
  'isOrganizer',
  'seriesMasterId',
  'type',
  'webLink',
  'onlineMeetingUrl',
  'onlineMeetingProvider',
  'isDraft',
  'originalStart',
  'onlineMeeting',
  'responseStatus',
  'organizer',
  // Accepted and ignored: the sandbox's calendars allow no online-meeting provider, and
  // Graph then silently drops the request for one.
  'isOnlineMeeting',
]);

const WRITABLE_PROPERTIES = new Set([
  'subject',
  'body',
  'start',
  'end',
  'isAllDay',
  'location',
  'locations',
  'isReminderOn',
  'reminderMinutesBeforeStart',
  'showAs',
  'importance',
  'sensitivity',
  'categories',
  'responseRequested',
  'allowNewTimeProposals',
  'hideAttendees',
  'attendees',
  'transactionId',
  'singleValueExtendedProperties',
  'recurrence',
]);

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- Extended properties ---------------------------------------------------------

const PROPERTY_TYPES = [
  'String',
  'Integer',
  'Boolean',
  'SystemTime',
  'Binary',
  'Guid',
  'Double',
  'Currency',
  'Short',
  'Long',
  'Float',
  'ApplicationTime',
  'Object',
] as const;

const TYPE_BY_LOWER_NAME = new Map(PROPERTY_TYPES.map((type) => [type.toLowerCase(), type]));
const NAMED_PROPERTY = /^(\w+)\s+\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s+(Name|Id)\s+(.+)$/i;
const TAGGED_PROPERTY = /^(\w+)\s+(0x[0-9a-f]{1,4})$/i;

/**
 * The canonical form of an extended property id, or undefined if it is not one:
 * `String {66f5a359-…} Name Color` (type as Graph spells it, GUID lower-case, name kept as
 * is), `Integer {…} Id 0x8503` or `String 0x3A4D`.
 */
export function normalizeExtendedPropertyId(id: string): string | undefined {
  const trimmed = id.trim();
  const named = NAMED_PROPERTY.exec(trimmed);
  if (named) {
    const [, rawType = '', guid = '', kind = '', rawName = ''] = named;
    const type = TYPE_BY_LOWER_NAME.get(rawType.toLowerCase());
    if (!type) return undefined;
    if (kind.toLowerCase() === 'id') {
      if (!/^0x[0-9a-f]{1,4}$/i.test(rawName)) return undefined;
      return `${type} {${guid.toLowerCase()}} Id ${rawName.toLowerCase()}`;
    }
    return `${type} {${guid.toLowerCase()}} Name ${rawName}`;
  }
  const tagged = TAGGED_PROPERTY.exec(trimmed);
  if (tagged) {
    const type = TYPE_BY_LOWER_NAME.get((tagged[1] ?? '').toLowerCase());
    return type ? `${type} ${(tagged[2] ?? '').toLowerCase()}` : undefined;
  }
  return undefined;
}

function parseExtendedProperties(raw: JsonValue): GraphSingleValueExtendedProperty[] {
  if (!Array.isArray(raw)) throw graphErrors.invalidValue('singleValueExtendedProperties');
  return raw.map((item) => {
    if (!isJsonObject(item)) throw graphErrors.invalidValue('singleValueExtendedProperties');
    const rawId = item['id'];
    const value = item['value'];
    if (typeof rawId !== 'string') throw graphErrors.invalidProperty('An extended property needs an id.');
    const id = normalizeExtendedPropertyId(rawId);
    if (id === undefined) throw graphErrors.invalidProperty(`The extended property id '${rawId}' is not valid.`);
    if (typeof value !== 'string') throw graphErrors.invalidValue('singleValueExtendedProperties');
    return { id, value };
  });
}

/** Later writes of an id replace its value; new ids are appended. */
function mergeExtendedProperties(
  current: readonly GraphSingleValueExtendedProperty[],
  updates: readonly GraphSingleValueExtendedProperty[],
): GraphSingleValueExtendedProperty[] {
  const merged = current.map((property) => ({ ...property }));
  for (const update of updates) {
    const existing = merged.find((property) => property.id === update.id);
    if (existing) existing.value = update.value;
    else merged.push({ ...update });
  }
  return merged;
}

// --- Validation -----------------------------------------------------------------

function stringValue(value: JsonValue, name: string): string {
  if (value === null) return '';
  if (typeof value !== 'string') throw graphErrors.invalidValue(name);
  return value;
}

function booleanValue(value: JsonValue, name: string): boolean {
  if (typeof value !== 'boolean') throw graphErrors.invalidValue(name);
  return value;
}

function enumValue<T extends string>(value: JsonValue, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw graphErrors.invalidValue(name);
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw graphErrors.invalidValue(name);
  return match;
}

function arrayValue(value: JsonValue, name: string): JsonValue[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw graphErrors.invalidValue(name);
  return value;
}

function parseBody(value: JsonValue, current: GraphItemBody): GraphItemBody {
  if (value === null) return { contentType: 'text', content: '' };
  if (!isJsonObject(value)) throw graphErrors.invalidValue('body');
  for (const key of Object.keys(value)) {
    if (key !== 'contentType' && key !== 'content' && key !== '@odata.type')
      throw graphErrors.unknownProperty(key, 'microsoft.graph.itemBody');
  }
  const contentType = value['contentType'] === undefined ? current.contentType : enumValue(value['contentType'], 'contentType', BODY_TYPES);
  const content = value['content'] === undefined ? current.content : stringValue(value['content'], 'content');
  return { contentType, content };
}

function parseLocation(value: JsonValue): string {
  if (value === null) return '';
  if (!isJsonObject(value)) throw graphErrors.invalidValue('location');
  const displayName = value['displayName'];
  return displayName === undefined ? '' : stringValue(displayName, 'displayName');
}

/** A dateTimeTimeZone: wall-clock time read in its zone (UTC when none is named). `name` words the errors. */
export function parseTime(value: JsonValue, name: string): EventTime {
  if (!isJsonObject(value)) throw graphErrors.invalidValue(name);
  const dateTime = value['dateTime'];
  const timeZone = value['timeZone'];
  if (typeof dateTime !== 'string' || dateTime.trim() === '') throw graphErrors.invalidValue(`${name}.dateTime`);
  if (timeZone !== undefined && timeZone !== null && typeof timeZone !== 'string') throw graphErrors.invalidValue(`${name}.timeZone`);
  const zoneName = typeof timeZone === 'string' ? timeZone : 'UTC';
  const zone = resolveZone(zoneName);
  if (!zone) throw graphErrors.timeZoneNotSupported(zoneName);
  const ms = parseZonedDateTime(dateTime, zone);
  if (ms === undefined) throw graphErrors.invalidValue(`${name}.dateTime`);
  return { ms, zone };
}

function parseCategories(value: JsonValue): string[] {
  return arrayValue(value, 'categories').map((item) => {
    if (typeof item !== 'string') throw graphErrors.invalidValue('categories');
    return item;
  });
}

function parseReminderMinutes(value: JsonValue): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw graphErrors.invalidValue('reminderMinutesBeforeStart');
  return value;
}

/** A series master's start and end moved to its first occurrence (Exchange keeps them there). */
function withSeriesStart(content: EventContent): EventContent {
  const { recurrence } = content;
  if (recurrence === null) return content;
  const first = firstOccurrence({ recurrence, start: content.start, end: content.end, isAllDay: content.isAllDay });
  if (!first) throw graphErrors.recurrenceHasNoOccurrence();
  return { ...content, start: { ...content.start, ms: first.startMs }, end: { ...content.end, ms: first.endMs } };
}

export interface ValidatedWrite {
  content: EventContent;
  /** Only from a create: the client's de-duplication key. */
  transactionId?: string;
}

/**
 * Validates a create (`current` undefined: start and end required, Graph's defaults for
 * the rest) or a PATCH onto `current` (only the given properties change; extended
 * properties merge by id).
 */
export function validateEventWrite(raw: unknown, current: StoredEvent | undefined): ValidatedWrite {
  const input = raw === undefined || raw === null ? {} : raw;
  if (!isJsonObject(input)) throw graphErrors.badRequest('Unable to read JSON request payload.');
  const body: JsonObject = input;
  for (const key of Object.keys(body)) {
    if (!WRITABLE_PROPERTIES.has(key) && !READ_ONLY_PROPERTIES.has(key)) throw graphErrors.unknownProperty(key, EVENT_TYPE);
  }
  if (current?.occurrence && body['recurrence'] !== undefined && body['recurrence'] !== null) {
    throw graphErrors.invalidRequest("Your request can't be completed. An occurrence of a series cannot have a recurrence of its own.");
  }
  const base = current?.content;
  const read = <T>(name: string, parse: (value: JsonValue) => T, fallback: () => T): T => {
    const value = body[name];
    return value === undefined ? fallback() : parse(value);
  };
  const start = read(
    'start',
    (value): EventTime | undefined => parseTime(value, 'start'),
    () => base?.start,
  );
  const end = read(
    'end',
    (value): EventTime | undefined => parseTime(value, 'end'),
    () => base?.end,
  );
  if (!start || !end) throw graphErrors.invalidRequest("Your request can't be completed. An event needs both a start and an end.");
  const emptyBody: GraphItemBody = { contentType: 'text', content: '' };
  const content: EventContent = {
    subject: read(
      'subject',
      (value) => stringValue(value, 'subject'),
      () => base?.subject ?? '',
    ),
    body: read(
      'body',
      (value) => parseBody(value, base?.body ?? emptyBody),
      () => base?.body ?? emptyBody,
    ),
    start,
    end,
    isAllDay: read(
      'isAllDay',
      (value) => booleanValue(value, 'isAllDay'),
      () => base?.isAllDay ?? false,
    ),
    location: read('location', parseLocation, () => base?.location ?? ''),
    isReminderOn: read(
      'isReminderOn',
      (value) => booleanValue(value, 'isReminderOn'),
      () => base?.isReminderOn ?? true,
    ),
    reminderMinutesBeforeStart: read('reminderMinutesBeforeStart', parseReminderMinutes, () => base?.reminderMinutesBeforeStart ?? 15),
    showAs: read(
      'showAs',
      (value) => enumValue(value, 'showAs', SHOW_AS),
      () => base?.showAs ?? 'busy',
    ),
    importance: read(
      'importance',
      (value) => enumValue(value, 'importance', IMPORTANCE),
      () => base?.importance ?? 'normal',
    ),
    sensitivity: read(
      'sensitivity',
      (value) => enumValue(value, 'sensitivity', SENSITIVITY),
      () => base?.sensitivity ?? 'normal',
    ),
    categories: read('categories', parseCategories, () => [...(base?.categories ?? [])]),
    responseRequested: read(
      'responseRequested',
      (value) => booleanValue(value, 'responseRequested'),
      () => base?.responseRequested ?? true,
    ),
    allowNewTimeProposals: read(
      'allowNewTimeProposals',
      (value) => booleanValue(value, 'allowNewTimeProposals'),
      () => base?.allowNewTimeProposals ?? true,
    ),
    hideAttendees: read(
      'hideAttendees',
      (value) => booleanValue(value, 'hideAttendees'),
      () => base?.hideAttendees ?? false,
    ),
    attendees: read(
      'attendees',
      (value) => arrayValue(value, 'attendees'),
      () => base?.attendees ?? [],
    ),
    locations: read(
      'locations',
      (value) => arrayValue(value, 'locations'),
      () => base?.locations ?? [],
    ),
    extendedProperties: mergeExtendedProperties(
      base?.extendedProperties ?? [],
      body['singleValueExtendedProperties'] === undefined ? [] : parseExtendedProperties(body['singleValueExtendedProperties']),
    ),
    recurrence: read(
      'recurrence',
      (value) => parseRecurrence(value, start.zone),
      () => base?.recurrence ?? null,
    ),
  };
  if (content.end.ms < content.start.ms) {
    throw graphErrors.invalidRequest("Your request can't be completed. The end time of the event is before its start time.");
  }
  const allDayShape =
    isMidnight(content.start.ms, content.start.zone) && isMidnight(content.end.ms, content.end.zone) && content.end.ms > content.start.ms;
  if (content.isAllDay && !allDayShape) {
    throw graphErrors.invalidRequest(
      "Your request can't be completed. If the event is an all-day event, it has to start and end at midnight, and it must last at least one day.",
    );
  }
  const result: ValidatedWrite = { content: withSeriesStart(content) };
  const rawTransactionId = body['transactionId'];
  if (rawTransactionId !== undefined && rawTransactionId !== null) {
    if (typeof rawTransactionId !== 'string') throw graphErrors.invalidValue('transactionId');
    if (current) {
      // transactionId is set once, on create; Graph does not let a PATCH change it.
      if (rawTransactionId !== current.transactionId) {
        throw graphErrors.invalidRequest("The property 'transactionId' can only be set when the event is created.");
      }
    } else if (rawTransactionId !== '') {
      result.transactionId = rawTransactionId;
    }
  }
  return result;
}

// --- Serialisation --------------------------------------------------------------

/** Which extended properties a response carries: none unless `$expand`ed; `ids` undefined means all. */
export interface ExtendedPropertyExpansion {
  ids?: readonly string[];
}

export interface RenderOptions {
  /** The zone `start`/`end` are given in: UTC unless `Prefer: outlook.timezone`. */
  zone: ResolvedZone;
  /** The mailbox owner: the organizer of every event. */
  organizer: GraphEmailAddress;
  expand?: ExtendedPropertyExpansion;
}

/** The `@odata.etag` of a change key. */
export function etagOf(changeKey: string): string {
  return `W/"${changeKey}"`;
}

function bodyPreview(body: GraphItemBody): string {
  const text =
    body.contentType === 'html'
      ? body.content
          .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, ' ')
          .replace(/<[^>]*>/g, ' ')
          .replace(/&nbsp;/g, ' ')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&')
      : body.content;
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

function webLink(id: string): string {
  return `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`;
}

function expandedProperties(event: StoredEvent, expand: ExtendedPropertyExpansion): GraphSingleValueExtendedProperty[] {
  const all = event.content.extendedProperties;
  const wanted = expand.ids;
  const chosen = wanted === undefined ? all : all.filter((property) => wanted.includes(property.id));
  return chosen.map((property) => ({ ...property }));
}

function eventType(event: StoredEvent): GraphEvent['type'] {
  if (event.occurrence) return event.occurrence.isException ? 'exception' : 'occurrence';
  return event.content.recurrence ? 'seriesMaster' : 'singleInstance';
}

/** `2026-10-05T07:00:00Z`: how Graph writes an occurrence's originalStart. */
function originalStartOf(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The event in Graph's default property set (`singleValueExtendedProperties` only when expanded and present). */
export function toGraphEvent(event: StoredEvent, options: RenderOptions): GraphEvent {
  const { content } = event;
  const resource: GraphEvent = {
    '@odata.etag': etagOf(event.changeKey),
    id: event.id,
    createdDateTime: formatUtcTimestamp(event.createdMs),
    lastModifiedDateTime: formatUtcTimestamp(event.lastModifiedMs),
    changeKey: event.changeKey,
    categories: [...content.categories],
    transactionId: event.transactionId,
    originalStartTimeZone: content.start.zone.name,
    originalEndTimeZone: content.end.zone.name,
    iCalUId: event.iCalUId,
    reminderMinutesBeforeStart: content.reminderMinutesBeforeStart,
    isReminderOn: content.isReminderOn,
    hasAttachments: false,
    subject: content.subject,
    bodyPreview: bodyPreview(content.body),
    importance: content.importance,
    sensitivity: content.sensitivity,
    isAllDay: content.isAllDay,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: content.responseRequested,
    seriesMasterId: event.occurrence?.seriesMasterId ?? null,
    showAs: content.showAs,
    type: eventType(event),
    webLink: webLink(event.id),
    onlineMeetingUrl: null,
    isOnlineMeeting: false,
    onlineMeetingProvider: 'unknown',
    allowNewTimeProposals: content.allowNewTimeProposals,
    isDraft: false,
    hideAttendees: content.hideAttendees,
    recurrence: content.recurrence ? toGraphRecurrence(content.recurrence) : null,
    onlineMeeting: null,
    responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
    body: { ...content.body },
    start: { dateTime: formatZonedDateTime(content.start.ms, options.zone), timeZone: options.zone.name },
    end: { dateTime: formatZonedDateTime(content.end.ms, options.zone), timeZone: options.zone.name },
    location: { displayName: content.location, locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} },
    locations: structuredClone(content.locations),
    attendees: structuredClone(content.attendees),
    organizer: { emailAddress: { ...options.organizer } },
  };
  if (event.occurrence) resource.originalStart = originalStartOf(event.occurrence.originalStartMs);
  if (options.expand) {
    const properties = expandedProperties(event, options.expand);
    if (properties.length > 0) resource.singleValueExtendedProperties = properties;
  }
  return resource;
}

/** The default rendering for the control API: UTC, every extended property. */
export function toControlEvent(event: StoredEvent, organizer: GraphEmailAddress): GraphEvent {
  return toGraphEvent(event, { zone: UTC_ZONE, organizer, expand: {} });
}
