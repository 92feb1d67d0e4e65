import { apiErrors } from './errors';
import { isValidEventId, newEventId, nextEtag } from './ids';
import { eventToWritableJson, isJsonObject, mergePatch, validateEventBody, type StoredEvent, type ValidatedEvent } from './event-model';
import type { CalendarStore } from './state';

// Event writes on one calendar, with Google's identity rules: client ids, ids that
// stay taken after deletion, etag preconditions and "deleted" tombstones.

/** If-Match: `*` or any listed etag matches; absent means unconditional. */
function checkIfMatch(ifMatch: string | undefined, event: StoredEvent): void {
  if (ifMatch === undefined) return;
  const candidates = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (candidates.includes('*') || candidates.includes(event.etag)) return;
  throw apiErrors.conditionNotMet();
}

/**
 * Every write gets a new etag, a new updated time and a place in the change log.
 * Writes always store a fresh object, so list snapshots holding the old one stay intact.
 */
function commit(calendar: CalendarStore, event: StoredEvent, now: number): StoredEvent {
  calendar.changeSeq += 1;
  event.changeSeq = calendar.changeSeq;
  event.etag = nextEtag(now);
  event.updatedMs = Math.max(now, event.updatedMs);
  calendar.events.set(event.id, event);
  return event;
}

export function findEvent(calendar: CalendarStore, eventId: string): StoredEvent {
  const event = calendar.events.get(eventId);
  if (!event) throw apiErrors.notFound();
  return event;
}

export function insertEvent(calendar: CalendarStore, body: unknown, now: number): StoredEvent {
  const rawId = isJsonObject(body) ? body['id'] : undefined;
  let id: string;
  if (rawId === undefined || rawId === null) {
    id = newEventId();
  } else {
    if (typeof rawId !== 'string' || !isValidEventId(rawId)) throw apiErrors.invalid('Invalid resource id value.');
    id = rawId;
  }
  // A deleted event keeps its id: re-creating it means updating the cancelled one.
  if (calendar.events.has(id)) throw apiErrors.duplicate();
  const validated = validateEventBody(body, calendar.timeZone);
  calendar.orderSeq += 1;
  const event: StoredEvent = {
    id,
    etag: '',
    status: validated.status ?? 'confirmed',
    createdMs: now,
    updatedMs: now,
    sequence: validated.sequence ?? 0,
    changeSeq: 0,
    order: calendar.orderSeq,
    content: validated.content,
    startMs: validated.startMs,
    endMs: validated.endMs,
    allDay: validated.allDay,
  };
  if (validated.series) event.series = validated.series;
  return commit(calendar, event, now);
}

function nextSequence(event: StoredEvent, validated: ValidatedEvent): number {
  if (validated.sequence !== undefined && validated.sequence < event.sequence) {
    throw apiErrors.invalid('Invalid sequence value. The specified sequence number is below the current sequence number of the resource.');
  }
  const sequence = validated.sequence ?? event.sequence;
  const timesChanged =
    validated.startMs !== event.startMs ||
    validated.endMs !== event.endMs ||
    validated.allDay !== event.allDay ||
    JSON.stringify(validated.content.recurrence) !== JSON.stringify(event.content.recurrence);
  // Google bumps the iCalendar SEQUENCE when the time (or the recurrence) changes, unless the client already did.
  return timesChanged && sequence === event.sequence ? sequence + 1 : sequence;
}

function applyWrite(
  calendar: CalendarStore,
  event: StoredEvent,
  validated: ValidatedEvent,
  status: StoredEvent['status'],
  now: number,
): StoredEvent {
  const updated: StoredEvent = {
    ...event,
    status,
    sequence: nextSequence(event, validated),
    content: validated.content,
    startMs: validated.startMs,
    endMs: validated.endMs,
    allDay: validated.allDay,
  };
  // A patch with `recurrence: null` turns a series back into a single event.
  if (validated.series) updated.series = validated.series;
  else delete updated.series;
  return commit(calendar, updated, now);
}

/** events.update: full replace. A cancelled event comes back as confirmed unless told otherwise. */
export function updateEvent(
  calendar: CalendarStore,
  eventId: string,
  body: unknown,
  ifMatch: string | undefined,
  now: number,
): StoredEvent {
  const event = findEvent(calendar, eventId);
  checkIfMatch(ifMatch, event);
  const validated = validateEventBody(body, calendar.timeZone);
  return applyWrite(calendar, event, validated, validated.status ?? 'confirmed', now);
}

/** events.patch: merge onto the current event; status stays unless the body changes it. */
export function patchEvent(calendar: CalendarStore, eventId: string, body: unknown, ifMatch: string | undefined, now: number): StoredEvent {
  const event = findEvent(calendar, eventId);
  checkIfMatch(ifMatch, event);
  if (body !== undefined && body !== null && !isJsonObject(body)) throw apiErrors.parseError();
  const patch = isJsonObject(body) ? body : {};
  const validated = validateEventBody(mergePatch(eventToWritableJson(event), patch), calendar.timeZone);
  return applyWrite(calendar, event, validated, validated.status ?? event.status, now);
}

/** events.delete: the event lingers as cancelled; deleting it again is 410 Gone. */
export function deleteEvent(calendar: CalendarStore, eventId: string, ifMatch: string | undefined, now: number): StoredEvent {
  const event = findEvent(calendar, eventId);
  if (event.status === 'cancelled') throw apiErrors.deleted();
  checkIfMatch(ifMatch, event);
  return commit(calendar, { ...event, status: 'cancelled' }, now);
}
