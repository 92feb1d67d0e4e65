import { DateTime } from 'luxon';
import { apiErrors } from './errors';
import type { StoredEvent } from './event-model';
import { occurrences, expandSeries, type ExpandWindow, type Occurrence } from './recurrence-expand';
import { wallKey, type Series, type WallTime } from './recurrence-rule';
import type { CalendarStore } from './state';
import type { EventDateTime } from './types';

// Instances of recurring events, as Google shows them with singleEvents=true: computed from
// the master on every read, never stored. An instance id is the master's id, `_`, and the
// original start: `<id>_20300304T090000Z` (UTC) for timed series, `<id>_20300304` for all-day
// ones. Event ids are base32hex, so `_` can never clash with a stored event's id.

const INSTANCE_SUFFIX = /^(\d{8})(?:T(\d{6})Z)?$/;

function isoDate(wall: WallTime): string {
  const key = wallKey(wall);
  return `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`;
}

/** Google's dateTime form: local time with the zone's offset, no milliseconds (`Z` in UTC). */
export function localDateTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}

function instanceSuffix(series: Series, occurrence: Occurrence): string {
  if (series.allDay) return wallKey(occurrence.wall).slice(0, 8);
  return `${DateTime.fromMillis(occurrence.startMs, { zone: 'UTC' }).toFormat("yyyyMMdd'T'HHmmss")}Z`;
}

export function instanceId(master: StoredEvent, series: Series, occurrence: Occurrence): string {
  return `${master.id}_${instanceSuffix(series, occurrence)}`;
}

/** The instance of `master` at `occurrence`; an EXDATE-excluded one comes back cancelled. */
export function toInstance(master: StoredEvent, series: Series, occurrence: Occurrence): StoredEvent {
  let start: EventDateTime;
  let end: EventDateTime;
  if (series.allDay) {
    start = { date: isoDate(occurrence.wall) };
    end = { date: DateTime.fromMillis(occurrence.endMs, { zone: series.zone }).toISODate() ?? '' };
  } else {
    const endZone = master.content.end.timeZone ?? series.zone;
    start = { dateTime: localDateTime(occurrence.startMs, series.zone), timeZone: series.zone };
    end = { dateTime: localDateTime(occurrence.endMs, endZone), timeZone: endZone };
  }
  const { recurrence: _dropped, ...content } = master.content;
  const instance: StoredEvent = {
    ...master,
    id: instanceId(master, series, occurrence),
    status: occurrence.excluded ? 'cancelled' : master.status,
    content: { ...content, start, end },
    startMs: occurrence.startMs,
    endMs: occurrence.endMs,
    instance: { recurringEventId: master.id, originalStartTime: { ...start } },
  };
  delete instance.series;
  return instance;
}

/** The master's instances overlapping the window (the master itself when it does not recur). */
export function expandEvent(event: StoredEvent, window: ExpandWindow): StoredEvent[] {
  const { series } = event;
  if (!series) {
    const overlaps = event.endMs > window.from && event.startMs < window.to;
    return overlaps ? [event] : [];
  }
  return expandSeries(series, window).map((occurrence) => toInstance(event, series, occurrence));
}

/** Whether any occurrence of the event overlaps the window (how a master is time-filtered). */
export function occursWithin(event: StoredEvent, from: number, to: number): boolean {
  if (!event.series) return event.endMs > from && event.startMs < to;
  return expandSeries(event.series, { from, to, limit: 1 }).length > 0;
}

/** The occurrence an instance id names, if the series has one there. */
function occurrenceAt(series: Series, suffix: string): Occurrence | undefined {
  const match = INSTANCE_SUFFIX.exec(suffix);
  if (!match || series.allDay !== (match[2] === undefined)) return undefined;
  for (const occurrence of occurrences(series)) {
    // Suffixes sort like the times they name, so the walk can stop once past it.
    const current = instanceSuffix(series, occurrence);
    if (current === suffix) return occurrence;
    if (current > suffix) return undefined;
  }
  return undefined;
}

/** events.get: a stored event, or an instance of a stored series by its instance id (404 otherwise). */
export function findEventOrInstance(calendar: CalendarStore, eventId: string): StoredEvent {
  const stored = calendar.events.get(eventId);
  if (stored) return stored;
  const separator = eventId.lastIndexOf('_');
  const master = separator > 0 ? calendar.events.get(eventId.slice(0, separator)) : undefined;
  const series = master?.series;
  const occurrence = series ? occurrenceAt(series, eventId.slice(separator + 1)) : undefined;
  if (!master || !series || !occurrence) throw apiErrors.notFound();
  return toInstance(master, series, occurrence);
}
