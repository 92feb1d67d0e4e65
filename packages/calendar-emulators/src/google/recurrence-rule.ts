import { DateTime, IANAZone } from 'luxon';
import { apiErrors } from './errors';

// The `recurrence` field of an event: RRULE, RDATE and EXDATE lines (RFC 5545), checked
// the way Google checks them on write and turned into a Series the expander can walk.
// Everything is resolved to wall-clock time in the zone the series is expanded in, as
// RFC 5545 expands rules in DTSTART's zone (so 10:00 Paris stays 10:00 across DST).

/** A local date and time of day, in the series' zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export type UntilBound = { kind: 'instant'; ms: number } | { kind: 'wall'; key: string } | { kind: 'date'; date: string };

export interface SeriesRule {
  /** The rule for ical.js without COUNT and UNTIL, which the expander applies itself. */
  pattern: string;
  count?: number;
  until?: UntilBound;
}

export interface Series {
  /** start.timeZone for timed events; the calendar's zone for all-day ones. */
  zone: string;
  allDay: boolean;
  /** DTSTART, always the first occurrence. */
  start: WallTime;
  span: SeriesSpan;
  rules: SeriesRule[];
  /** Extra occurrences (RDATE). */
  rdates: WallTime[];
  /** Occurrences excluded by EXDATE, as wall keys; `exDates` excludes whole days (VALUE=DATE). */
  exTimes: ReadonlySet<string>;
  exDates: ReadonlySet<string>;
}

const FREQUENCIES = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const WEEKDAY = '(?:MO|TU|WE|TH|FR|SA|SU)';
const INTEGER = /^[1-9]\d*$/;
const DATE_VALUE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME_VALUE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/;

/** `yyyyMMddTHHmmss`: sorts like the time it names. */
export function wallKey(wall: WallTime): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(wall.year, 4)}${pad(wall.month)}${pad(wall.day)}T${pad(wall.hour)}${pad(wall.minute)}${pad(wall.second)}`;
}

export function wallDate(wall: WallTime): string {
  return wallKey(wall).slice(0, 8);
}

export function wallOf(dateTime: DateTime): WallTime {
  const { year, month, day, hour, minute, second } = dateTime;
  return { year, month, day, hour, minute, second };
}

/** The instant of a wall time in a zone (a time skipped by DST moves forward, as RFC 5545 says). */
export function wallToDateTime(wall: WallTime, zone: string): DateTime {
  return DateTime.fromObject({ ...wall }, { zone });
}

function invalidRule(): Error {
  return apiErrors.invalid('Invalid recurrence rule.');
}

function listOf(value: string, item: RegExp): boolean {
  return value.split(',').every((part) => item.test(part));
}

/** A comma-separated list of integers whose magnitudes lie in [min, max]. */
function numbersWithin(value: string, min: number, max: number, signed: boolean): boolean {
  if (!listOf(value, signed ? /^[+-]?\d{1,3}$/ : /^\d{1,3}$/)) return false;
  return value.split(',').every((part) => {
    const magnitude = Math.abs(Number(part));
    return magnitude >= min && magnitude <= max;
  });
}

/**
 * Which parts an RRULE may have, and what each value must look like. A Map, not an object
 * literal, so that a part named `constructor` does not find Object's.
 */
const PART_CHECKS = new Map<string, (value: string) => boolean>([
  ['FREQ', (value) => FREQUENCIES.has(value)],
  ['INTERVAL', (value) => INTEGER.test(value)],
  ['COUNT', (value) => INTEGER.test(value)],
  ['UNTIL', (value) => DATE_VALUE.test(value) || DATE_TIME_VALUE.test(value)],
  [
    'BYDAY',
    (value) =>
      listOf(value, new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}$`)) &&
      value.split(',').every((part) => {
        const ordinal = /^[+-]?(\d{1,2})/.exec(part)?.[1];
        return ordinal === undefined || (Number(ordinal) >= 1 && Number(ordinal) <= 53);
      }),
  ],
  ['BYMONTHDAY', (value) => numbersWithin(value, 1, 31, true)],
  ['BYYEARDAY', (value) => numbersWithin(value, 1, 366, true)],
  ['BYWEEKNO', (value) => numbersWithin(value, 1, 53, true)],
  ['BYMONTH', (value) => numbersWithin(value, 1, 12, false)],
  ['BYSETPOS', (value) => numbersWithin(value, 1, 366, true)],
  ['BYHOUR', (value) => listOf(value, /^\d{1,2}$/) && value.split(',').every((part) => Number(part) <= 23)],
  ['BYMINUTE', (value) => listOf(value, /^\d{1,2}$/) && value.split(',').every((part) => Number(part) <= 59)],
  ['BYSECOND', (value) => listOf(value, /^\d{1,2}$/) && value.split(',').every((part) => Number(part) <= 60)],
  ['WKST', (value) => new RegExp(`^${WEEKDAY}$`).test(value)],
]);

/** How long each occurrence lasts: like the first one, in ms (timed) or whole days (all-day). */
export type SeriesSpan = { ms: number } | { days: number };

/** What the lines are read against: the event's first occurrence and the zone it lives in. */
export interface ResolveContext {
  zone: string;
  allDay: boolean;
  start: WallTime;
  span: SeriesSpan;
}

function parseUntil(value: string): UntilBound {
  if (DATE_VALUE.test(value)) return { kind: 'date', date: value };
  const match = DATE_TIME_VALUE.exec(value);
  if (!match) throw invalidRule();
  const wall = wallFromMatch(match);
  if (match[7] === 'Z') {
    const instant = DateTime.fromObject({ ...wall }, { zone: 'UTC' });
    if (!instant.isValid) throw invalidRule();
    return { kind: 'instant', ms: instant.toMillis() };
  }
  return { kind: 'wall', key: wallKey(wall) };
}

function parseRule(body: string): SeriesRule {
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) throw invalidRule();
    const name = part.slice(0, index).toUpperCase();
    const value = part.slice(index + 1).toUpperCase();
    const check = PART_CHECKS.get(name);
    if (!check || parts.has(name) || !check(value)) throw invalidRule();
    parts.set(name, value);
  }
  if (!parts.has('FREQ')) throw invalidRule();
  const count = parts.get('COUNT');
  const until = parts.get('UNTIL');
  // RFC 5545: COUNT and UNTIL MUST NOT occur in the same rule.
  if (count !== undefined && until !== undefined) throw invalidRule();
  parts.delete('COUNT');
  parts.delete('UNTIL');
  const rule: SeriesRule = { pattern: [...parts].map(([name, value]) => `${name}=${value}`).join(';') };
  if (count !== undefined) rule.count = Number(count);
  if (until !== undefined) rule.until = parseUntil(until);
  return rule;
}

function wallFromMatch(match: RegExpExecArray): WallTime {
  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4] ?? 0),
    minute: Number(match[5] ?? 0),
    second: Number(match[6] ?? 0),
  };
}

interface DateLine {
  tzid?: string;
  valueType: 'DATE' | 'DATE-TIME';
  values: string[];
}

/** `EXDATE;TZID=Europe/Paris:20300308T100000,20300315T100000` → its parameters and values. */
function parseDateLine(params: string[], body: string): DateLine {
  const line: DateLine = { valueType: 'DATE-TIME', values: body.split(',') };
  for (const param of params) {
    const [name, value] = param.split('=');
    if (name === undefined || value === undefined) throw invalidRule();
    if (name.toUpperCase() === 'TZID') {
      if (!IANAZone.isValidZone(value)) throw invalidRule();
      line.tzid = value;
    } else if (name.toUpperCase() === 'VALUE') {
      const type = value.toUpperCase();
      if (type !== 'DATE' && type !== 'DATE-TIME') throw invalidRule();
      line.valueType = type;
    } else {
      throw invalidRule();
    }
  }
  return line;
}

/** One RDATE/EXDATE value as a wall time in the series' zone, or a whole day. */
type ResolvedDate = { wall: WallTime } | { date: string };

function resolveDate(value: string, line: DateLine, context: ResolveContext): ResolvedDate {
  const date = DATE_VALUE.exec(value);
  if (date) {
    if (!DateTime.fromObject({ ...wallFromMatch(date) }).isValid) throw invalidRule();
    return { date: value };
  }
  const match = line.valueType === 'DATE-TIME' ? DATE_TIME_VALUE.exec(value) : null;
  if (!match) throw invalidRule();
  const wall = wallFromMatch(match);
  // UTC or TZID values name an instant; floating ones are read in the series' zone.
  const sourceZone = match[7] === 'Z' ? 'UTC' : (line.tzid ?? context.zone);
  const instant = DateTime.fromObject({ ...wall }, { zone: sourceZone });
  if (!instant.isValid) throw invalidRule();
  return { wall: wallOf(instant.setZone(context.zone)) };
}

/** An RDATE as an occurrence: a date-only one happens at the series' usual time of day. */
function rdateWall(resolved: ResolvedDate, context: ResolveContext): WallTime {
  if ('date' in resolved) {
    const date = resolved.date;
    return { ...context.start, year: Number(date.slice(0, 4)), month: Number(date.slice(4, 6)), day: Number(date.slice(6, 8)) };
  }
  return context.allDay ? { ...resolved.wall, hour: 0, minute: 0, second: 0 } : resolved.wall;
}

/**
 * Validates `recurrence` and resolves it for an event starting at `start` (wall time in
 * `zone`). Returns undefined when the event does not recur (absent or empty list).
 */
export function parseRecurrence(raw: unknown, context: ResolveContext): Series | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw apiErrors.invalid('Invalid value for: recurrence');
  if (raw.length === 0) return undefined;
  const rules: SeriesRule[] = [];
  const rdates: WallTime[] = [];
  const exTimes = new Set<string>();
  const exDates = new Set<string>();
  for (const entry of raw) {
    if (typeof entry !== 'string') throw apiErrors.invalid('Invalid value for: recurrence');
    const colon = entry.indexOf(':');
    if (colon <= 0) throw invalidRule();
    const [name = '', ...params] = entry.slice(0, colon).split(';');
    const kind = name.trim().toUpperCase();
    const body = entry.slice(colon + 1).trim();
    if (kind === 'RRULE') {
      if (params.length > 0) throw invalidRule();
      rules.push(parseRule(body));
    } else if (kind === 'RDATE' || kind === 'EXDATE') {
      const line = parseDateLine(params, body);
      for (const value of line.values) {
        const resolved = resolveDate(value.trim(), line, context);
        if (kind === 'RDATE') rdates.push(rdateWall(resolved, context));
        else if ('date' in resolved) exDates.add(resolved.date);
        else if (context.allDay) exDates.add(wallDate(resolved.wall));
        else exTimes.add(wallKey(resolved.wall));
      }
    } else {
      // EXRULE is deprecated by RFC 5545; anything else is not a recurrence line.
      throw invalidRule();
    }
  }
  if (rules.length === 0 && rdates.length === 0) throw invalidRule();
  rdates.sort((a, b) => wallKey(a).localeCompare(wallKey(b)));
  return { zone: context.zone, allDay: context.allDay, start: context.start, span: context.span, rules, rdates, exTimes, exDates };
}
