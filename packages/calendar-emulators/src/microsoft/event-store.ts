import { graphErrors } from './errors';
import { validateEventWrite, type StoredEvent } from './event-model';
import { changeKeyFor, newEventId, newICalUId } from './ids';
import { expandSeries, findOccurrence, seriesStateAfterPatch, withCancelledOccurrence, withOccurrencePatch } from './occurrences';
import { spanOverlaps } from './recurrence-expansion';
import type { Mailbox, MailboxCalendar } from './state';

// Event writes in one mailbox, with Exchange's identity rules: mailbox-wide ids that never
// change, a new change key per write, If-Match on change keys, transactionId
// de-duplication, and deletions that leave nothing behind (delta reports them). Writes to
// one occurrence of a series are writes to its master. Every write is announced to the
// mailbox's change notifications.

/** How long a transactionId keeps a retried POST from creating a second event. */
export const TRANSACTION_ID_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Who writes: an app through Graph (read-only calendars refuse it) or the user / calendar owner (control API). */
export type Writer = 'app' | 'owner';

/** A stored event, or an occurrence of a stored series, by id. */
export function lookupEvent(mailbox: Mailbox, eventId: string): StoredEvent | undefined {
  return mailbox.events.get(eventId) ?? findOccurrence(mailbox, eventId);
}

export function findEvent(mailbox: Mailbox, eventId: string): StoredEvent {
  const event = lookupEvent(mailbox, eventId);
  if (!event) throw graphErrors.itemNotFound();
  return event;
}

/** The stored master of an occurrence. */
function masterOf(mailbox: Mailbox, occurrence: StoredEvent): StoredEvent {
  const master = occurrence.occurrence === undefined ? undefined : mailbox.events.get(occurrence.occurrence.seriesMasterId);
  if (!master) throw graphErrors.itemNotFound();
  return master;
}

export function findCalendar(mailbox: Mailbox, calendarId: string): MailboxCalendar {
  const calendar = mailbox.calendars.get(calendarId);
  if (!calendar) throw graphErrors.itemNotFound();
  return calendar;
}

export function defaultCalendar(mailbox: Mailbox): MailboxCalendar {
  return findCalendar(mailbox, mailbox.defaultCalendarId);
}

function checkWritable(calendar: MailboxCalendar, writer: Writer): void {
  if (writer === 'app' && !calendar.canEdit) throw graphErrors.mailboxAccessDenied();
}

/**
 * If-Match: `*` or a listed etag (`W/"<changeKey>"`, the bare change key also accepted)
 * that is the event's current one; absent means unconditional.
 */
function checkIfMatch(ifMatch: string | undefined, event: StoredEvent): void {
  if (ifMatch === undefined) return;
  const candidates = ifMatch.split(',').map((tag) =>
    tag
      .trim()
      .replace(/^W\//i, '')
      .replace(/^"(.*)"$/, '$1'),
  );
  if (candidates.includes('*') || candidates.includes(event.changeKey)) return;
  throw graphErrors.changeKeyMismatch();
}

/** A new change key, modification time and change number; stores a fresh object. */
function commit(mailbox: Mailbox, event: StoredEvent, now: number): StoredEvent {
  mailbox.changeSeq += 1;
  const committed: StoredEvent = {
    ...event,
    changeSeq: mailbox.changeSeq,
    changeKey: changeKeyFor(mailbox.storeKey, mailbox.changeSeq),
    lastModifiedMs: Math.max(now, event.lastModifiedMs),
  };
  mailbox.events.set(committed.id, committed);
  return committed;
}

function forgetExpiredTransactions(mailbox: Mailbox, now: number): void {
  // Insertion order is creation order, and every record lives equally long.
  for (const [transactionId, record] of mailbox.transactions) {
    if (record.expiresMs > now) break;
    mailbox.transactions.delete(transactionId);
  }
}

export interface CreateResult {
  event: StoredEvent;
  /** False when the transactionId matched an event created in the last 24 hours. */
  created: boolean;
}

/**
 * Creates an event, unless its transactionId already created one in this mailbox within
 * 24 hours that still exists: then that event is the answer, unchanged (Graph's answer to a
 * de-duplicated retry is unconfirmed; the sandbox returns the existing event as if created).
 */
export function createEvent(mailbox: Mailbox, calendar: MailboxCalendar, body: unknown, now: number, writer: Writer): CreateResult {
  checkWritable(calendar, writer);
  const validated = validateEventWrite(body, undefined);
  const transactionId = validated.transactionId;
  forgetExpiredTransactions(mailbox, now);
  if (transactionId !== undefined) {
    const record = mailbox.transactions.get(transactionId);
    const existing = record === undefined ? undefined : mailbox.events.get(record.eventId);
    if (existing) return { event: existing, created: false };
  }
  let id = newEventId(mailbox.storeKey);
  while (mailbox.events.has(id)) id = newEventId(mailbox.storeKey);
  mailbox.orderSeq += 1;
  const event = commit(
    mailbox,
    {
      id,
      calendarId: calendar.id,
      changeKey: '',
      changeSeq: 0,
      order: mailbox.orderSeq,
      createdMs: now,
      lastModifiedMs: now,
      iCalUId: newICalUId(now),
      transactionId: transactionId ?? null,
      content: validated.content,
    },
    now,
  );
  if (transactionId !== undefined) {
    mailbox.transactions.delete(transactionId);
    mailbox.transactions.set(transactionId, { eventId: event.id, expiresMs: now + TRANSACTION_ID_MEMORY_MS });
  }
  mailbox.announce({ changeType: 'created', event });
  return { event, created: true };
}

/**
 * PATCH: the given properties change, the rest stays; extended properties merge by id. On
 * an occurrence it makes (or changes) an exception and answers with it.
 */
export function patchEvent(
  mailbox: Mailbox,
  event: StoredEvent,
  body: unknown,
  ifMatch: string | undefined,
  now: number,
  writer: Writer,
): StoredEvent {
  checkWritable(findCalendar(mailbox, event.calendarId), writer);
  checkIfMatch(ifMatch, event);
  if (event.occurrence) {
    const master = commit(mailbox, withOccurrencePatch(masterOf(mailbox, event), event, body), now);
    mailbox.announce({ changeType: 'updated', event: master });
    const exception = findOccurrence(mailbox, event.id);
    if (!exception) throw graphErrors.itemNotFound();
    return exception;
  }
  const validated = validateEventWrite(body, event);
  const updated = commit(mailbox, { ...event, content: validated.content, series: seriesStateAfterPatch(event, validated.content) }, now);
  mailbox.announce({ changeType: 'updated', event: updated });
  return updated;
}

/**
 * DELETE: the event is gone (GET answers 404); delta rounds report it as `@removed`. On a
 * series master the whole series goes; on an occurrence only that one (the master changes).
 */
export function deleteEvent(mailbox: Mailbox, event: StoredEvent, ifMatch: string | undefined, writer: Writer, now: number): void {
  checkWritable(findCalendar(mailbox, event.calendarId), writer);
  checkIfMatch(ifMatch, event);
  if (event.occurrence) {
    const master = commit(mailbox, withCancelledOccurrence(masterOf(mailbox, event), event), now);
    mailbox.announce({ changeType: 'updated', event: master });
    return;
  }
  mailbox.events.delete(event.id);
  mailbox.changeSeq += 1;
  mailbox.announce({ changeType: 'deleted', event });
}

/** The calendar's events in creation order. */
export function calendarEvents(mailbox: Mailbox, calendarId: string): StoredEvent[] {
  return [...mailbox.events.values()].filter((event) => event.calendarId === calendarId).sort((a, b) => a.order - b.order);
}

/**
 * What a calendar view shows of [startMs, endMs): single events overlapping it and the
 * occurrences of series in it (not their masters), by start time.
 */
export function eventsInWindow(mailbox: Mailbox, calendarId: string, startMs: number, endMs: number): StoredEvent[] {
  return calendarEvents(mailbox, calendarId)
    .flatMap((event) => (event.content.recurrence ? expandSeries(event, startMs, endMs) : overlaps(event, startMs, endMs) ? [event] : []))
    .sort(byStart);
}

/** By start; then creation order; occurrences of one series by original start. */
export function byStart(a: StoredEvent, b: StoredEvent): number {
  return (
    a.content.start.ms - b.content.start.ms ||
    a.order - b.order ||
    (a.occurrence?.originalStartMs ?? 0) - (b.occurrence?.originalStartMs ?? 0)
  );
}

export function overlaps(event: StoredEvent, startMs: number, endMs: number): boolean {
  // A zero-length event at the window's start still belongs to it.
  return spanOverlaps(event.content.start.ms, event.content.end.ms, startMs, endMs);
}
