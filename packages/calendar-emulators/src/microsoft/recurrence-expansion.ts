import { DateTime } from 'luxon';
import { graphErrors } from './errors';
import type { EventTime } from './event-model';
import { DAYS_OF_WEEK, type Recurrence, type RecurrencePattern } from './recurrence';
import type { GraphDayOfWeek, GraphRecurrencePatternType, GraphWeekIndex } from './types';

// Which occurrences a series has. Dates are worked out on the calendar of the
// recurrenceTimeZone and each occurrence starts at the master's wall-clock time there,
// so across a DST change the wall time stays and the instant moves (as in Outlook).
//
// A pattern is a sequence of periods (a day, a week, a month or a year, `interval` of them
// apart), each holding a fixed number of dates. The first period is the first one that has
// a date on or after range.startDate: a monthly series whose startDate falls after this
// month's occurrence begins next month and repeats from there (Graph's documentation: "the
// first Thursday of every other month starting August 29" first occurs in September).
// Every later period holds the same number of dates, so the position of any period in a
// numbered range is arithmetic and expansion can start at the requested window instead
// of at the beginning of the series.

/** What expansion needs of a series master. */
export interface SeriesTiming {
  recurrence: Recurrence;
  /** The master's start: its wall-clock time in the recurrence zone is every occurrence's. */
  start: EventTime;
  end: EventTime;
  isAllDay: boolean;
}

export interface OccurrenceTime {
  /** Position in the series from 0 (numbered ranges end at numberOfOccurrences). */
  index: number;
  /** The occurrence's date in the recurrence zone, `yyyy-MM-dd`. */
  date: string;
  startMs: number;
  endMs: number;
}

/** More occurrences than this in one window is a request the sandbox refuses rather than a hang. */
const MAX_OCCURRENCES_PER_WINDOW = 100_000;
const DAY_MS = 86_400_000;

type Unit = 'days' | 'weeks' | 'months' | 'years';

const UNIT_OF: Record<GraphRecurrencePatternType, Unit> = {
  daily: 'days',
  weekly: 'weeks',
  absoluteMonthly: 'months',
  relativeMonthly: 'months',
  absoluteYearly: 'years',
  relativeYearly: 'years',
};

const INDEX_POSITION: Record<Exclude<GraphWeekIndex, 'last'>, number> = { first: 0, second: 1, third: 2, fourth: 3 };

/** A calendar date: midnight UTC, so date arithmetic never meets a DST change. */
type CalendarDate = DateTime;

function calendarDate(iso: string): CalendarDate {
  return DateTime.fromISO(iso, { zone: 'utc' });
}

function dateOf(ms: number, iana: string): CalendarDate {
  const local = DateTime.fromMillis(ms, { zone: iana });
  return DateTime.utc(local.year, local.month, local.day);
}

/** 0 for Sunday … 6 for Saturday, the order of DAYS_OF_WEEK. */
function dayNumber(date: CalendarDate): number {
  return date.weekday % 7;
}

function dayIndex(day: GraphDayOfWeek): number {
  return DAYS_OF_WEEK.indexOf(day);
}

/** The start of the period unit (day, week from firstDayOfWeek, month, year) holding `date`. */
function unitStart(pattern: RecurrencePattern, date: CalendarDate): CalendarDate {
  switch (UNIT_OF[pattern.type]) {
    case 'days':
      return date;
    case 'weeks':
      return date.minus({ days: (dayNumber(date) - dayIndex(pattern.firstDayOfWeek) + 7) % 7 });
    case 'months':
      return date.startOf('month');
    case 'years':
      return date.startOf('year');
  }
}

/** Whole units from the unit starting at `from` to the unit holding `to` (negative when before). */
function unitsBetween(unit: Unit, from: CalendarDate, to: CalendarDate): number {
  switch (unit) {
    case 'days':
      return Math.round(to.diff(from, 'days').days);
    case 'weeks':
      return Math.floor(Math.round(to.diff(from, 'days').days) / 7);
    case 'months':
      return (to.year - from.year) * 12 + (to.month - from.month);
    case 'years':
      return to.year - from.year;
  }
}

/** Day `day` of the month, or its last day when shorter ("the 31st" falls on the 30th in April, as in Outlook). */
function clampedDay(monthStart: CalendarDate, day: number): CalendarDate {
  return monthStart.set({ day: Math.min(day, monthStart.daysInMonth ?? 28) });
}

/** The first/second/…/last date in the month that is one of `days` ("first weekday" with all five). */
function relativeDay(monthStart: CalendarDate, days: readonly GraphDayOfWeek[], index: GraphWeekIndex): CalendarDate {
  const wanted = new Set(days.map(dayIndex));
  const matching: CalendarDate[] = [];
  for (let date = monthStart; date.month === monthStart.month; date = date.plus({ days: 1 })) {
    if (wanted.has(dayNumber(date))) matching.push(date);
  }
  // Every weekday occurs at least four times a month, so `fourth` always exists.
  const chosen = index === 'last' ? matching[matching.length - 1] : matching[INDEX_POSITION[index]];
  return chosen ?? monthStart;
}

/** The dates of the pattern inside one unit, in order. */
function datesInUnit(pattern: RecurrencePattern, unit: CalendarDate): CalendarDate[] {
  switch (pattern.type) {
    case 'daily':
      return [unit];
    case 'weekly': {
      const first = dayIndex(pattern.firstDayOfWeek);
      return pattern.daysOfWeek
        .map((day) => (dayIndex(day) - first + 7) % 7)
        .sort((a, b) => a - b)
        .map((offset) => unit.plus({ days: offset }));
    }
    case 'absoluteMonthly':
      return [clampedDay(unit, pattern.dayOfMonth)];
    case 'relativeMonthly':
      return [relativeDay(unit, pattern.daysOfWeek, pattern.index)];
    case 'absoluteYearly':
      return [clampedDay(unit.set({ month: pattern.month }), pattern.dayOfMonth)];
    case 'relativeYearly':
      return [relativeDay(unit.set({ month: pattern.month }), pattern.daysOfWeek, pattern.index)];
  }
}

/** The fixed facts of a series' period sequence. */
interface PeriodPlan {
  pattern: RecurrencePattern;
  unit: Unit;
  rangeStart: CalendarDate;
  /** The unit holding range.startDate. */
  base: CalendarDate;
  /** Units from `base` to the first period: 0, or 1 when the base unit's dates all precede startDate. */
  anchor: number;
  /** Dates in the first period (those on or after startDate). */
  firstCount: number;
  /** Dates in every later period. */
  perPeriod: number;
}

function plan(recurrence: Recurrence): PeriodPlan {
  const { pattern } = recurrence;
  const unit = UNIT_OF[pattern.type];
  const rangeStart = calendarDate(recurrence.range.startDate);
  const base = unitStart(pattern, rangeStart);
  const inBase = datesInUnit(pattern, base).filter((date) => date >= rangeStart).length;
  const anchor = inBase > 0 ? 0 : 1;
  const firstCount = anchor === 0 ? inBase : datesInUnit(pattern, base.plus({ [unit]: 1 })).length;
  return { pattern, unit, rangeStart, base, anchor, firstCount, perPeriod: datesInUnit(pattern, base).length };
}

function periodDates(periods: PeriodPlan, k: number): CalendarDate[] {
  const unit = periods.base.plus({ [periods.unit]: periods.anchor + k * periods.pattern.interval });
  const dates = datesInUnit(periods.pattern, unit);
  return k === 0 ? dates.filter((date) => date >= periods.rangeStart) : dates;
}

/** Start and end of the occurrence on `date`. */
function timesOn(series: SeriesTiming, date: CalendarDate): { startMs: number; endMs: number } {
  const zone = series.recurrence.range.zone.iana;
  const wall = DateTime.fromMillis(series.start.ms, { zone });
  const start = DateTime.fromObject(
    {
      year: date.year,
      month: date.month,
      day: date.day,
      hour: wall.hour,
      minute: wall.minute,
      second: wall.second,
      millisecond: wall.millisecond,
    },
    { zone },
  );
  if (series.isAllDay) {
    // All-day occurrences span whole days on the wall clock, whatever DST does to their length.
    const days = Math.max(1, Math.round((series.end.ms - series.start.ms) / DAY_MS));
    return { startMs: start.toMillis(), endMs: start.plus({ days }).toMillis() };
  }
  return { startMs: start.toMillis(), endMs: start.toMillis() + (series.end.ms - series.start.ms) };
}

/** The series' occurrences in order, starting with the period that holds `from` (or the first one). */
function* occurrencesFrom(series: SeriesTiming, from: CalendarDate): Generator<OccurrenceTime> {
  const { range } = series.recurrence;
  const periods = plan(series.recurrence);
  const offset = unitsBetween(periods.unit, periods.base, unitStart(periods.pattern, from)) - periods.anchor;
  // An instant luxon cannot place (far outside any calendar) has no occurrences to offer.
  if (!Number.isFinite(offset)) return;
  const first = Math.max(0, Math.floor(offset / periods.pattern.interval));
  let index = first === 0 ? 0 : periods.firstCount + (first - 1) * periods.perPeriod;
  const endDate = range.type === 'endDate' && range.endDate !== undefined ? calendarDate(range.endDate) : undefined;
  for (let k = first; ; k += 1) {
    for (const date of periodDates(periods, k)) {
      if (endDate !== undefined && date > endDate) return;
      if (range.type === 'numbered' && index >= range.numberOfOccurrences) return;
      yield { index, date: date.toISODate() ?? '', ...timesOn(series, date) };
      index += 1;
    }
  }
}

/** Whether [startMs, endMs) overlaps [fromMs, toMs); a zero-length span at the window's start counts. */
export function spanOverlaps(startMs: number, endMs: number, fromMs: number, toMs: number): boolean {
  return startMs < toMs && (endMs > startMs ? endMs > fromMs : startMs >= fromMs);
}

/** The occurrences overlapping [fromMs, toMs), by start. */
export function occurrencesOverlapping(series: SeriesTiming, fromMs: number, toMs: number): OccurrenceTime[] {
  const zone = series.recurrence.range.zone.iana;
  // Start early enough to catch an occurrence that began before the window and runs into it.
  const longest = series.end.ms - series.start.ms + 2 * DAY_MS;
  const from = dateOf(fromMs - longest, zone);
  const found: OccurrenceTime[] = [];
  let seen = 0;
  for (const occurrence of occurrencesFrom(series, from)) {
    if (occurrence.startMs >= toMs) break;
    seen += 1;
    if (seen > MAX_OCCURRENCES_PER_WINDOW) {
      throw graphErrors.invalidParameter(
        `The sandbox expands at most ${MAX_OCCURRENCES_PER_WINDOW} occurrences of a series per request; ask for a shorter window.`,
      );
    }
    if (spanOverlaps(occurrence.startMs, occurrence.endMs, fromMs, toMs)) found.push(occurrence);
  }
  return found;
}

/** The series' first occurrence; undefined when the range holds none. */
export function firstOccurrence(series: SeriesTiming): OccurrenceTime | undefined {
  const next = occurrencesFrom(series, calendarDate(series.recurrence.range.startDate)).next();
  return next.done ? undefined : next.value;
}

/** The occurrence that (originally) starts at `startMs`, if the series has one there. */
export function occurrenceStartingAt(series: SeriesTiming, startMs: number): OccurrenceTime | undefined {
  const from = dateOf(startMs, series.recurrence.range.zone.iana).minus({ days: 1 });
  for (const occurrence of occurrencesFrom(series, from)) {
    if (occurrence.startMs === startMs) return occurrence;
    if (occurrence.startMs > startMs) return undefined;
  }
  return undefined;
}
