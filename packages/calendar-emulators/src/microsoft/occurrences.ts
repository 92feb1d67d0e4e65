import {
  isJsonObject,
  validateEventWrite,
  type EventContent,
  type OccurrenceException,
  type SeriesState,
  type StoredEvent,
} from './event-model';
import { graphErrors } from './errors';
import { sameSchedule } from './recurrence';
import { occurrencesOverlapping, occurrenceStartingAt, spanOverlaps, type OccurrenceTime, type SeriesTiming } from './recurrence-expansion';
import type { Mailbox } from './state';

// The occurrences of a series master as events: made on demand from the master (never
// stored), with ids that are distinct per occurrence and stable (the master's id plus
// the original start), so GET, PATCH and DELETE can address one. A PATCH turns an
// occurrence into an exception (same id, as at Exchange); a DELETE cancels it. Both are
// recorded on the master, whose change key therefore moves.

const NO_SERIES_STATE: SeriesState = { cancelled: [], exceptions: [] };

/** Marks the 9 bytes appended to the master's id bytes: the marker, then the original start. */
const OCCURRENCE_MARKER = 0x4f;

function decodeId(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, '/').replace(/_/g, '+'), 'base64');
}

function encodeId(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\//g, '-').replace(/\+/g, '_');
}

export function occurrenceId(masterId: string, originalStartMs: number): string {
  const tail = Buffer.alloc(9);
  tail[0] = OCCURRENCE_MARKER;
  tail.writeBigInt64BE(BigInt(originalStartMs), 1);
  return encodeId(Buffer.concat([decodeId(masterId), tail]));
}

/** Exchange's calendar range (1601–4500): an id claiming a start outside it is no occurrence. */
const EARLIEST_MS = Date.UTC(1601, 0, 1);
const LATEST_MS = Date.UTC(4501, 0, 1);

function parseOccurrenceId(id: string): { masterId: string; originalStartMs: number } | undefined {
  const bytes = decodeId(id);
  if (bytes.length < 10 || bytes[bytes.length - 9] !== OCCURRENCE_MARKER) return undefined;
  const originalStartMs = Number(bytes.readBigInt64BE(bytes.length - 8));
  if (originalStartMs < EARLIEST_MS || originalStartMs > LATEST_MS) return undefined;
  return { masterId: encodeId(bytes.subarray(0, bytes.length - 9)), originalStartMs };
}

/**
 * Outlook's per-occurrence iCalUId: the master's with the occurrence date (year, month,
 * day) in the 4 bytes after the class id, which are zero on the master.
 */
function occurrenceICalUId(masterUid: string, date: string): string {
  const [year = 0, month = 0, day = 0] = date.split('-').map(Number);
  const stamp = `${year.toString(16).padStart(4, '0')}${month.toString(16).padStart(2, '0')}${day.toString(16).padStart(2, '0')}`;
  return `${masterUid.slice(0, 32)}${stamp.toUpperCase()}${masterUid.slice(40)}`;
}

export function seriesTiming(master: StoredEvent): SeriesTiming | undefined {
  const { recurrence, start, end, isAllDay } = master.content;
  return recurrence ? { recurrence, start, end, isAllDay } : undefined;
}

function occurrenceContent(master: StoredEvent, time: OccurrenceTime): EventContent {
  const { content } = master;
  return { ...content, recurrence: null, start: { ...content.start, ms: time.startMs }, end: { ...content.end, ms: time.endMs } };
}

function occurrenceEvent(master: StoredEvent, time: OccurrenceTime, content: EventContent, isException: boolean): StoredEvent {
  const { series: _series, ...rest } = master;
  return {
    ...rest,
    id: occurrenceId(master.id, time.startMs),
    iCalUId: occurrenceICalUId(master.iCalUId, time.date),
    transactionId: null,
    content,
    occurrence: { seriesMasterId: master.id, originalStartMs: time.startMs, isException },
  };
}

/** An exception: the occurrence with its PATCHes applied (one the master no longer allows is skipped). */
function exceptionEvent(master: StoredEvent, time: OccurrenceTime, exception: OccurrenceException): StoredEvent {
  let event = occurrenceEvent(master, time, occurrenceContent(master, time), true);
  for (const patch of exception.patches) {
    try {
      event = { ...event, content: validateEventWrite(patch, event).content };
    } catch {
      // Only possible after the master changed underneath; the rest of the exception stands.
    }
  }
  return event;
}

/** The occurrences and exceptions of a series overlapping [fromMs, toMs), cancelled ones left out. */
export function expandSeries(master: StoredEvent, fromMs: number, toMs: number): StoredEvent[] {
  const timing = seriesTiming(master);
  if (!timing) return [];
  const state = master.series ?? NO_SERIES_STATE;
  const cancelled = new Set(state.cancelled);
  const excepted = new Set(state.exceptions.map((exception) => exception.originalStartMs));
  const events = occurrencesOverlapping(timing, fromMs, toMs)
    .filter((time) => !cancelled.has(time.startMs) && !excepted.has(time.startMs))
    .map((time) => occurrenceEvent(master, time, occurrenceContent(master, time), false));
  // An exception may have moved into (or out of) the window, whatever its original slot.
  for (const exception of state.exceptions) {
    const time = occurrenceStartingAt(timing, exception.originalStartMs);
    if (!time) continue;
    const event = exceptionEvent(master, time, exception);
    if (spanOverlaps(event.content.start.ms, event.content.end.ms, fromMs, toMs)) events.push(event);
  }
  return events;
}

/** The occurrence or exception an id names, if its series still has it. */
export function findOccurrence(mailbox: Mailbox, id: string): StoredEvent | undefined {
  const ref = parseOccurrenceId(id);
  const master = ref === undefined ? undefined : mailbox.events.get(ref.masterId);
  const timing = master === undefined ? undefined : seriesTiming(master);
  if (!ref || !master || !timing) return undefined;
  const state = master.series ?? NO_SERIES_STATE;
  if (state.cancelled.includes(ref.originalStartMs)) return undefined;
  const time = occurrenceStartingAt(timing, ref.originalStartMs);
  if (!time) return undefined;
  const exception = state.exceptions.find((candidate) => candidate.originalStartMs === ref.originalStartMs);
  return exception ? exceptionEvent(master, time, exception) : occurrenceEvent(master, time, occurrenceContent(master, time), false);
}

/** The master with one occurrence deleted. */
export function withCancelledOccurrence(master: StoredEvent, occurrence: StoredEvent): StoredEvent {
  const originalStartMs = occurrence.occurrence?.originalStartMs;
  if (originalStartMs === undefined) throw graphErrors.itemNotFound();
  const state = master.series ?? NO_SERIES_STATE;
  return {
    ...master,
    series: {
      cancelled: [...state.cancelled, originalStartMs].sort((a, b) => a - b),
      exceptions: state.exceptions.filter((exception) => exception.originalStartMs !== originalStartMs),
    },
  };
}

/** The master with a PATCH recorded on one occurrence (validated first: a bad body changes nothing). */
export function withOccurrencePatch(master: StoredEvent, occurrence: StoredEvent, body: unknown): StoredEvent {
  const originalStartMs = occurrence.occurrence?.originalStartMs;
  if (originalStartMs === undefined) throw graphErrors.itemNotFound();
  validateEventWrite(body, occurrence);
  const patch = isJsonObject(body) ? body : {};
  const state = master.series ?? NO_SERIES_STATE;
  const previous = state.exceptions.find((exception) => exception.originalStartMs === originalStartMs);
  const exception: OccurrenceException = { originalStartMs, patches: [...(previous?.patches ?? []), patch] };
  return {
    ...master,
    series: {
      cancelled: state.cancelled,
      exceptions: [...state.exceptions.filter((candidate) => candidate !== previous), exception],
    },
  };
}

/**
 * What a master PATCH leaves of its exceptions and cancellations: all of them while the
 * schedule stands, none once the pattern or the series' times change (as in Outlook).
 */
export function seriesStateAfterPatch(before: StoredEvent, after: EventContent): SeriesState | undefined {
  const previous = before.content;
  const sameTimes = previous.start.ms === after.start.ms && previous.end.ms === after.end.ms && previous.isAllDay === after.isAllDay;
  return sameTimes && sameSchedule(previous.recurrence, after.recurrence) ? before.series : undefined;
}
