import { DateTime, IANAZone } from 'luxon';
import { apiErrors } from './errors';
import { checkSeries } from './recurrence-expand';
import { parseRecurrence, wallOf, type Series, type SeriesSpan } from './recurrence-rule';
import type {
  EventDateTime,
  EventExtendedProperties,
  EventPerson,
  EventReminderOverride,
  EventReminders,
  EventStatus,
  EventTransparency,
  EventVisibility,
  GoogleEventResource,
  JsonObject,
  JsonValue,
} from './types';

// Validation and serialisation of event resources, following what Google accepts,
// rejects and silently rewrites.

/** The client-writable part of an event, after validation. */
export interface EventContent {
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  eventType?: string;
  start: EventDateTime;
  end: EventDateTime;
  transparency?: EventTransparency;
  visibility?: EventVisibility;
  reminders: EventReminders;
  extendedProperties?: EventExtendedProperties;
  /** RRULE/RDATE/EXDATE lines as the client sent them (echoed verbatim, like Google). */
  recurrence?: string[];
  /** Other known Google fields, stored verbatim. */
  passthrough: JsonObject;
}

/** What makes a StoredEvent an instance of a recurring event rather than a stored event. */
export interface InstanceOf {
  recurringEventId: string;
  originalStartTime: EventDateTime;
}

export interface StoredEvent {
  id: string;
  etag: string;
  status: EventStatus;
  createdMs: number;
  updatedMs: number;
  sequence: number;
  /** Calendar change counter at the last write; sync tokens compare against it. */
  changeSeq: number;
  /** Creation order, the default list order. */
  order: number;
  content: EventContent;
  startMs: number;
  endMs: number;
  allDay: boolean;
  /** Set on a series master: its recurrence, resolved (start and end are its first occurrence). */
  series?: Series;
  /** Set on an instance computed from a master; such events are never stored. */
  instance?: InstanceOf;
}

export interface ValidatedEvent {
  content: EventContent;
  status?: EventStatus;
  sequence?: number;
  startMs: number;
  endMs: number;
  allDay: boolean;
  series?: Series;
}

const PASSTHROUGH_FIELDS = [
  'attendees',
  'attachments',
  'anyoneCanAddSelf',
  'conferenceData',
  'guestsCanInviteOthers',
  'guestsCanModify',
  'guestsCanSeeOtherGuests',
  'locked',
  'privateCopy',
  'source',
] as const;

const STATUSES: readonly EventStatus[] = ['confirmed', 'tentative', 'cancelled'];
const TRANSPARENCIES: readonly EventTransparency[] = ['opaque', 'transparent'];
const VISIBILITIES: readonly EventVisibility[] = ['default', 'public', 'private', 'confidential'];

const MAX_OVERRIDES = 5;
const MAX_REMINDER_MINUTES = 40320;
const MAX_PROPERTY_KEY = 44;
const MAX_PROPERTY_VALUE = 1024;

const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** Google coerces scalars into string fields; objects and arrays are refused. */
function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw apiErrors.invalid(`Invalid value for: ${field}`);
}

function optionalEnum<T extends string>(body: JsonObject, field: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  if (!oneOf(allowed, value)) throw apiErrors.invalid(`Invalid value for: ${field}`);
  return value;
}

/** Parses an RFC 3339 instant with an explicit offset (query parameters such as timeMin). */
export function parseInstant(value: string): number | undefined {
  const match = RFC3339_DATE_TIME.exec(value);
  if (!match || match[1] === undefined) return undefined;
  const parsed = DateTime.fromISO(value, { setZone: true });
  return parsed.isValid ? parsed.toMillis() : undefined;
}

interface ParsedTime {
  value: EventDateTime;
  ms: number;
  allDay: boolean;
}

function parseEventTime(raw: JsonValue | undefined, which: 'start' | 'end', calendarZone: string): ParsedTime {
  if (raw === undefined || raw === null) throw apiErrors.required(`Missing ${which} time.`);
  if (!isJsonObject(raw)) throw apiErrors.invalid(`Invalid ${which} time.`);
  const date = raw['date'] ?? undefined;
  const dateTime = raw['dateTime'] ?? undefined;
  const timeZone = raw['timeZone'] ?? undefined;
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone))) {
    throw apiErrors.invalid(`Invalid time zone definition for ${which} time.`);
  }
  if (date !== undefined && dateTime !== undefined) throw apiErrors.invalid(`Invalid ${which} time.`);
  if (date !== undefined) {
    if (typeof date !== 'string' || !DATE_ONLY.test(date)) throw apiErrors.invalid(`Invalid ${which} time.`);
    // All-day dates are read in the calendar's zone (UTC for primary calendars in the sandbox).
    const parsed = DateTime.fromISO(date, { zone: calendarZone });
    if (!parsed.isValid) throw apiErrors.invalid(`Invalid ${which} time.`);
    const value: EventDateTime = { date };
    if (timeZone !== undefined) value.timeZone = timeZone;
    return { value, ms: parsed.toMillis(), allDay: true };
  }
  if (dateTime === undefined) throw apiErrors.required(`Missing ${which} time.`);
  if (typeof dateTime !== 'string') throw apiErrors.invalid(`Invalid ${which} time.`);
  const match = RFC3339_DATE_TIME.exec(dateTime);
  if (!match) throw apiErrors.invalid(`Invalid ${which} time.`);
  const hasOffset = match[1] !== undefined;
  if (!hasOffset && timeZone === undefined) {
    throw apiErrors.required(`Missing time zone definition for ${which} time.`);
  }
  const parsed = hasOffset ? DateTime.fromISO(dateTime, { setZone: true }) : DateTime.fromISO(dateTime, { zone: timeZone as string });
  if (!parsed.isValid) throw apiErrors.invalid(`Invalid ${which} time.`);
  // Keep what the client sent (dateTime and timeZone), as the adapter compares them.
  const value: EventDateTime = { dateTime };
  if (timeZone !== undefined) value.timeZone = timeZone;
  return { value, ms: parsed.toMillis(), allDay: false };
}

function parseReminders(raw: JsonValue | undefined): EventReminders {
  if (raw === undefined || raw === null) return { useDefault: true };
  if (!isJsonObject(raw)) throw apiErrors.invalid('Invalid value for: reminders');
  const useDefault = raw['useDefault'] ?? false;
  if (typeof useDefault !== 'boolean') throw apiErrors.invalid('Invalid value for: reminders.useDefault');
  const rawOverrides = raw['overrides'] ?? [];
  if (!Array.isArray(rawOverrides)) throw apiErrors.invalid('Invalid value for: reminders.overrides');
  if (useDefault && rawOverrides.length > 0) {
    throw apiErrors.invalid('Cannot specify both default reminders and overrides at the same time.');
  }
  if (rawOverrides.length > MAX_OVERRIDES) throw apiErrors.invalid('Too many reminders.');
  const overrides = rawOverrides.map((override): EventReminderOverride => {
    if (!isJsonObject(override)) throw apiErrors.invalid('Invalid value for: reminders.overrides');
    const method = override['method'];
    if (method !== 'email' && method !== 'popup') throw apiErrors.invalid('Invalid reminder method value.');
    const minutes = override['minutes'];
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > MAX_REMINDER_MINUTES) {
      throw apiErrors.invalid('Invalid reminder minutes value.');
    }
    return { method, minutes };
  });
  return overrides.length > 0 ? { useDefault, overrides } : { useDefault };
}

function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length > max ? chars.slice(0, max).join('') : value;
}

function parsePropertyMap(raw: JsonValue | undefined, name: string): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isJsonObject(raw)) throw apiErrors.invalid(`Invalid value for: extendedProperties.${name}`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) continue;
    if (typeof value === 'object') throw apiErrors.invalid(`Invalid value for: extendedProperties.${name}`);
    // Google silently drops over-long keys and truncates over-long values.
    const length = Array.from(key).length;
    if (length === 0 || length > MAX_PROPERTY_KEY) continue;
    out[key] = truncate(String(value), MAX_PROPERTY_VALUE);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function parseExtendedProperties(raw: JsonValue | undefined): EventExtendedProperties | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isJsonObject(raw)) throw apiErrors.invalid('Invalid value for: extendedProperties');
  const privateProps = parsePropertyMap(raw['private'], 'private');
  const sharedProps = parsePropertyMap(raw['shared'], 'shared');
  if (!privateProps && !sharedProps) return undefined;
  const out: EventExtendedProperties = {};
  if (privateProps) out.private = privateProps;
  if (sharedProps) out.shared = sharedProps;
  return out;
}

function parseSequence(raw: JsonValue | undefined): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) throw apiErrors.invalid('Invalid sequence value.');
  return raw;
}

/**
 * The recurrence of an event, resolved against its first occurrence. Google expands a timed
 * series in start.timeZone and refuses one without it; all-day series live in the calendar's zone.
 */
function parseSeries(raw: JsonValue | undefined, start: ParsedTime, end: ParsedTime, calendarZone: string): Series | undefined {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return undefined;
  const timeZone = start.value.timeZone;
  if (!start.allDay && timeZone === undefined) throw apiErrors.required('Missing time zone definition for start time.');
  const zone = start.allDay ? calendarZone : (timeZone as string);
  const first = DateTime.fromMillis(start.ms, { zone });
  const span: SeriesSpan = start.allDay
    ? { days: Math.round(DateTime.fromMillis(end.ms, { zone }).diff(first, 'days').days) }
    : { ms: end.ms - start.ms };
  const series = parseRecurrence(raw, { zone, allDay: start.allDay, start: wallOf(first), span });
  if (series) checkSeries(series);
  return series;
}

/**
 * Validates a full event body (insert, update, or a patch already merged onto the old event).
 * `calendarZone` is the calendar's time zone, in which all-day dates are read.
 */
export function validateEventBody(body: unknown, calendarZone = 'UTC'): ValidatedEvent {
  if (body !== undefined && body !== null && !isJsonObject(body)) throw apiErrors.parseError();
  const input: JsonObject = isJsonObject(body) ? body : {};
  // Google reports a missing end before a missing start.
  const end = parseEventTime(input['end'], 'end', calendarZone);
  const start = parseEventTime(input['start'], 'start', calendarZone);
  if (start.allDay !== end.allDay) {
    throw apiErrors.invalid('Start and end times must either both be date or both be dateTime.');
  }
  if (end.ms <= start.ms) throw apiErrors.timeRangeEmpty();
  const series = parseSeries(input['recurrence'], start, end, calendarZone);

  const content: EventContent = {
    start: start.value,
    end: end.value,
    reminders: parseReminders(input['reminders']),
    passthrough: {},
  };
  const summary = optionalString(input, 'summary');
  if (summary !== undefined) content.summary = summary;
  const description = optionalString(input, 'description');
  if (description !== undefined) content.description = description;
  const location = optionalString(input, 'location');
  if (location !== undefined) content.location = location;
  const colorId = optionalString(input, 'colorId');
  if (colorId !== undefined) content.colorId = colorId;
  const eventType = optionalString(input, 'eventType');
  if (eventType !== undefined) content.eventType = eventType;
  const transparency = optionalEnum(input, 'transparency', TRANSPARENCIES);
  if (transparency !== undefined) content.transparency = transparency;
  const visibility = optionalEnum(input, 'visibility', VISIBILITIES);
  if (visibility !== undefined) content.visibility = visibility;
  const extendedProperties = parseExtendedProperties(input['extendedProperties']);
  if (extendedProperties !== undefined) content.extendedProperties = extendedProperties;
  for (const field of PASSTHROUGH_FIELDS) {
    const value = input[field];
    if (value !== undefined && value !== null) content.passthrough[field] = value;
  }
  if (series) content.recurrence = (input['recurrence'] as string[]).slice();

  const validated: ValidatedEvent = {
    content,
    startMs: start.ms,
    endMs: end.ms,
    allDay: start.allDay,
  };
  if (series) validated.series = series;
  const status = optionalEnum(input, 'status', STATUSES);
  if (status !== undefined) validated.status = status;
  const sequence = parseSequence(input['sequence']);
  if (sequence !== undefined) validated.sequence = sequence;
  return validated;
}

function dateTimeToJson(value: EventDateTime): JsonObject {
  const out: JsonObject = {};
  if (value.date !== undefined) out['date'] = value.date;
  if (value.dateTime !== undefined) out['dateTime'] = value.dateTime;
  if (value.timeZone !== undefined) out['timeZone'] = value.timeZone;
  return out;
}

/** The writable fields of a stored event as JSON, the base a PATCH body is merged onto. */
export function eventToWritableJson(event: StoredEvent): JsonObject {
  const { content } = event;
  const out: JsonObject = { ...content.passthrough, status: event.status };
  if (content.summary !== undefined) out['summary'] = content.summary;
  if (content.description !== undefined) out['description'] = content.description;
  if (content.location !== undefined) out['location'] = content.location;
  if (content.colorId !== undefined) out['colorId'] = content.colorId;
  if (content.eventType !== undefined) out['eventType'] = content.eventType;
  if (content.transparency !== undefined) out['transparency'] = content.transparency;
  if (content.visibility !== undefined) out['visibility'] = content.visibility;
  out['start'] = dateTimeToJson(content.start);
  out['end'] = dateTimeToJson(content.end);
  if (content.recurrence !== undefined) out['recurrence'] = content.recurrence.slice();
  const reminders: JsonObject = { useDefault: content.reminders.useDefault };
  if (content.reminders.overrides) {
    reminders['overrides'] = content.reminders.overrides.map((o) => ({ method: o.method, minutes: o.minutes }));
  }
  out['reminders'] = reminders;
  if (content.extendedProperties) {
    const props: JsonObject = {};
    if (content.extendedProperties.private) props['private'] = { ...content.extendedProperties.private };
    if (content.extendedProperties.shared) props['shared'] = { ...content.extendedProperties.shared };
    out['extendedProperties'] = props;
  }
  return out;
}

/**
 * Google's patch semantics: nested objects are merged field by field, arrays are
 * replaced, and an explicit null clears a field (RFC 7396 JSON Merge Patch).
 */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = out[key];
    out[key] = isJsonObject(value) && isJsonObject(current) ? mergePatch(current, value) : value;
  }
  return out;
}

/** Google's htmlLink carries base64(eventId + ' ' + calendarId) as `eid`. */
export function encodeEid(eventId: string, calendarId: string): string {
  return Buffer.from(`${eventId} ${calendarId}`).toString('base64url');
}

export function decodeEid(eid: string): { eventId: string; calendarId: string } | undefined {
  const [eventId, calendarId] = Buffer.from(eid, 'base64url').toString('utf8').split(' ');
  return eventId && calendarId ? { eventId, calendarId } : undefined;
}

/** What an event resource needs to know about the calendar it is read from. */
export interface EventCalendar {
  id: string;
  accountEmail: string;
  primary: boolean;
  summary: string;
  accessRole: string;
}

/**
 * Creator and organizer as Google reports them: `self` marks the calendar this copy is
 * read from. On the primary calendar both are the user; on a secondary calendar the
 * organizer is the calendar itself and the creator the user who wrote the event (for a
 * read-only calendar, somebody else: the calendar stands in for them).
 */
function people(calendar: EventCalendar): Pick<GoogleEventResource, 'creator' | 'organizer'> {
  if (calendar.primary) {
    return { creator: { email: calendar.id, self: true }, organizer: { email: calendar.id, self: true } };
  }
  const organizer: EventPerson = { email: calendar.id, displayName: calendar.summary, self: true };
  const creator: EventPerson = calendar.accessRole === 'reader' ? { ...organizer } : { email: calendar.accountEmail };
  return { creator, organizer };
}

/** Instances share their master's iCalendar UID. */
export function iCalUidOf(event: StoredEvent): string {
  return `${event.instance?.recurringEventId ?? event.id}@google.com`;
}

export function toEventResource(event: StoredEvent, calendar: EventCalendar, origin: string): GoogleEventResource {
  const { content, instance } = event;
  const { extendedProperties: props, reminders } = content;
  const { creator, organizer } = people(calendar);
  // Built in the order Google lists fields, so responses read like the real thing.
  const resource: GoogleEventResource = {
    kind: 'calendar#event',
    etag: event.etag,
    id: event.id,
    status: event.status,
    htmlLink: `${origin}/calendar/event?eid=${encodeEid(event.id, calendar.id)}`,
    created: new Date(event.createdMs).toISOString(),
    updated: new Date(event.updatedMs).toISOString(),
    ...(content.summary !== undefined ? { summary: content.summary } : {}),
    ...(content.description !== undefined ? { description: content.description } : {}),
    ...(content.location !== undefined ? { location: content.location } : {}),
    ...(content.colorId !== undefined ? { colorId: content.colorId } : {}),
    creator,
    organizer,
    start: { ...content.start },
    end: { ...content.end },
    ...(content.recurrence !== undefined ? { recurrence: content.recurrence.slice() } : {}),
    ...(instance ? { recurringEventId: instance.recurringEventId, originalStartTime: { ...instance.originalStartTime } } : {}),
    ...(content.transparency !== undefined ? { transparency: content.transparency } : {}),
    ...(content.visibility !== undefined ? { visibility: content.visibility } : {}),
    iCalUID: iCalUidOf(event),
    sequence: event.sequence,
    reminders: {
      useDefault: reminders.useDefault,
      ...(reminders.overrides ? { overrides: reminders.overrides.map((o) => ({ ...o })) } : {}),
    },
    ...(props
      ? {
          extendedProperties: {
            ...(props.private ? { private: { ...props.private } } : {}),
            ...(props.shared ? { shared: { ...props.shared } } : {}),
          },
        }
      : {}),
    eventType: content.eventType ?? 'default',
  };
  return Object.assign(resource, structuredClone(content.passthrough));
}
