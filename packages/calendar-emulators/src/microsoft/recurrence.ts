import { DateTime } from 'luxon';
import { z } from 'zod';
import { graphErrors, type GraphApiError } from './errors';
import { resolveZone, type ResolvedZone } from './time-zones';
import type {
  GraphDayOfWeek,
  GraphPatternedRecurrence,
  GraphRecurrencePatternType,
  GraphRecurrenceRangeType,
  GraphWeekIndex,
} from './types';

// The `recurrence` of a series master (`microsoft.graph.patternedRecurrence`): what a
// create or PATCH may send, and the full shape Graph answers with. Which fields a pattern
// type needs follows "Schedule repeating appointments as recurring events in Outlook";
// as there, fields a type ignores are still checked ("even if a field is ignored, it is
// still validated").

export const DAYS_OF_WEEK: readonly GraphDayOfWeek[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const PATTERN_TYPES: readonly GraphRecurrencePatternType[] = [
  'daily',
  'weekly',
  'absoluteMonthly',
  'relativeMonthly',
  'absoluteYearly',
  'relativeYearly',
];
const WEEK_INDEXES: readonly GraphWeekIndex[] = ['first', 'second', 'third', 'fourth', 'last'];
const RANGE_TYPES: readonly GraphRecurrenceRangeType[] = ['endDate', 'noEnd', 'numbered'];

/** What Graph writes for "no date" in a range (endDate of a noEnd or numbered range). */
const NO_DATE = '0001-01-01';

export interface RecurrencePattern {
  type: GraphRecurrencePatternType;
  interval: number;
  /** 1–12 for the yearly types, else 0. */
  month: number;
  /** 1–31 for the absolute types, else 0. */
  dayOfMonth: number;
  daysOfWeek: GraphDayOfWeek[];
  firstDayOfWeek: GraphDayOfWeek;
  index: GraphWeekIndex;
}

export interface RecurrenceRange {
  type: GraphRecurrenceRangeType;
  /** `yyyy-MM-dd`, a date in `zone`. */
  startDate: string;
  /** Last date the pattern applies to (inclusive); only for endDate ranges. */
  endDate?: string;
  /** Only for numbered ranges. */
  numberOfOccurrences: number;
  /** The recurrenceTimeZone: where dates and the wall-clock time of occurrences are read. */
  zone: ResolvedZone;
}

export interface Recurrence {
  pattern: RecurrencePattern;
  range: RecurrenceRange;
}

/** A case-insensitive enum value, stored in Graph's spelling. */
function caseInsensitiveEnum<T extends string>(values: readonly T[]): z.ZodType<T> {
  return z.string().transform((value, context): T => {
    const match = values.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (match === undefined) {
      context.addIssue({ code: 'custom', message: 'invalid value' });
      return z.NEVER;
    }
    return match;
  });
}

const dateSchema = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid);
const dayOfWeekSchema = caseInsensitiveEnum(DAYS_OF_WEEK);

const patternSchema = z.strictObject({
  '@odata.type': z.string().optional(),
  type: caseInsensitiveEnum(PATTERN_TYPES),
  interval: z.number().int().min(1).max(999),
  month: z.number().int().min(0).max(12).optional(),
  dayOfMonth: z.number().int().min(0).max(31).optional(),
  daysOfWeek: z.array(dayOfWeekSchema).nullable().optional(),
  firstDayOfWeek: dayOfWeekSchema.nullable().optional(),
  index: caseInsensitiveEnum(WEEK_INDEXES).nullable().optional(),
});

const rangeSchema = z.strictObject({
  '@odata.type': z.string().optional(),
  type: caseInsensitiveEnum(RANGE_TYPES),
  startDate: dateSchema,
  endDate: z
    .union([dateSchema, z.literal(NO_DATE)])
    .nullable()
    .optional(),
  numberOfOccurrences: z.number().int().min(0).max(999).optional(),
  recurrenceTimeZone: z.string().nullable().optional(),
});

const recurrenceSchema = z.strictObject({
  '@odata.type': z.string().optional(),
  pattern: patternSchema,
  range: rangeSchema,
});

const TYPE_NAMES: Record<string, string> = {
  '': 'microsoft.graph.patternedRecurrence',
  pattern: 'microsoft.graph.recurrencePattern',
  range: 'microsoft.graph.recurrenceRange',
};

/** Graph's answer to the first problem zod found: unknown properties by name, the rest as invalid values. */
function toGraphError(issue: z.core.$ZodIssue): GraphApiError {
  const where = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return graphErrors.unknownProperty(issue.keys[0] ?? '', TYPE_NAMES[where.join('.')] ?? TYPE_NAMES[''] ?? '');
  }
  const property = where.filter((part) => !/^\d+$/.test(part)).pop() ?? 'recurrence';
  return graphErrors.invalidValue(property);
}

function invalidRecurrence(message: string): GraphApiError {
  return graphErrors.invalidRequest(`Your request can't be completed. ${message}`);
}

/**
 * A validated recurrence, or null (`"recurrence": null` makes a series a single event
 * again). `startZone` is the event's start zone: the default recurrenceTimeZone.
 */
export function parseRecurrence(raw: unknown, startZone: ResolvedZone): Recurrence | null {
  if (raw === null) return null;
  const parsed = recurrenceSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw issue ? toGraphError(issue) : graphErrors.invalidValue('recurrence');
  }
  const { pattern: rawPattern, range: rawRange } = parsed.data;
  const daysOfWeek = [...new Set(rawPattern.daysOfWeek ?? [])].sort((a, b) => DAYS_OF_WEEK.indexOf(a) - DAYS_OF_WEEK.indexOf(b));
  const pattern: RecurrencePattern = {
    type: rawPattern.type,
    interval: rawPattern.interval,
    month: rawPattern.month ?? 0,
    dayOfMonth: rawPattern.dayOfMonth ?? 0,
    daysOfWeek,
    firstDayOfWeek: rawPattern.firstDayOfWeek ?? 'sunday',
    index: rawPattern.index ?? 'first',
  };
  const needsDays = pattern.type === 'weekly' || pattern.type === 'relativeMonthly' || pattern.type === 'relativeYearly';
  const needsDayOfMonth = pattern.type === 'absoluteMonthly' || pattern.type === 'absoluteYearly';
  const needsMonth = pattern.type === 'absoluteYearly' || pattern.type === 'relativeYearly';
  if (needsDays && daysOfWeek.length === 0) throw invalidRecurrence(`A ${pattern.type} recurrence pattern needs daysOfWeek.`);
  if (needsDayOfMonth && pattern.dayOfMonth === 0)
    throw invalidRecurrence(`An ${pattern.type} recurrence pattern needs dayOfMonth (1-31).`);
  if (needsMonth && pattern.month === 0) throw invalidRecurrence(`A ${pattern.type} recurrence pattern needs month (1-12).`);
  // Unused fields come back as Graph's defaults, whatever was sent.
  if (!needsDays) pattern.daysOfWeek = [];
  if (!needsDayOfMonth) pattern.dayOfMonth = 0;
  if (!needsMonth) pattern.month = 0;

  const zoneName = rawRange.recurrenceTimeZone ?? startZone.name;
  const zone = resolveZone(zoneName);
  if (!zone) throw graphErrors.timeZoneNotSupported(zoneName);
  const range: RecurrenceRange = { type: rawRange.type, startDate: rawRange.startDate, numberOfOccurrences: 0, zone };
  if (range.type === 'endDate') {
    const endDate = rawRange.endDate;
    if (endDate === undefined || endDate === null || endDate === NO_DATE)
      throw invalidRecurrence('An endDate recurrence range needs an endDate.');
    if (endDate < range.startDate) throw invalidRecurrence('The end date of the recurrence range is before its start date.');
    range.endDate = endDate;
  }
  if (range.type === 'numbered') {
    const count = rawRange.numberOfOccurrences ?? 0;
    if (count < 1) throw invalidRecurrence('A numbered recurrence range needs a numberOfOccurrences of at least 1.');
    range.numberOfOccurrences = count;
  }
  return { pattern, range };
}

/** The recurrence in the full shape Graph answers with. */
export function toGraphRecurrence(recurrence: Recurrence): GraphPatternedRecurrence {
  const { pattern, range } = recurrence;
  return {
    pattern: { ...pattern, daysOfWeek: [...pattern.daysOfWeek] },
    range: {
      type: range.type,
      startDate: range.startDate,
      endDate: range.endDate ?? NO_DATE,
      recurrenceTimeZone: range.zone.name,
      numberOfOccurrences: range.numberOfOccurrences,
    },
  };
}

/** True when both recurrences make the same dates (a PATCH that changes them drops the series' exceptions). */
export function sameSchedule(a: Recurrence | null, b: Recurrence | null): boolean {
  if (a === null || b === null) return a === b;
  return JSON.stringify(toGraphRecurrence(a)) === JSON.stringify(toGraphRecurrence(b)) && a.range.zone.iana === b.range.zone.iana;
}
