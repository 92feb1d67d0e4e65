import { graphErrors } from './errors';
import { isJsonObject, parseTime } from './event-model';
import type { JsonObject, JsonValue } from './types';

// The body of `POST …/calendar/getSchedule`, checked as Graph and Exchange check it.
// Action parameters are matched case-insensitively (Graph's own example sends
// `Schedules`, `StartTime`, `EndTime`); one the action does not have is a 400.

/** Graph documents at most 20 schedules per call. */
export const MAX_SCHEDULES = 20;
/** Graph documents that the period "must be less than 62 days". */
export const MAX_SCHEDULE_DAYS = 62;
const MAX_SCHEDULE_MS = MAX_SCHEDULE_DAYS * 24 * 60 * 60 * 1000;
const DEFAULT_INTERVAL_MINUTES = 30;
const MIN_INTERVAL_MINUTES = 5;
const MAX_INTERVAL_MINUTES = 1440;

const PARAMETERS = ['schedules', 'startTime', 'endTime', 'availabilityViewInterval'] as const;
type Parameter = (typeof PARAMETERS)[number];

export interface ScheduleRequest {
  /** The addresses as the caller wrote them (each answer's scheduleId), in order. */
  schedules: string[];
  startMs: number;
  endMs: number;
  intervalMinutes: number;
}

/** The body's parameters by their canonical names. */
function parameters(body: JsonObject): Partial<Record<Parameter, JsonValue>> {
  const byLowerName = new Map(PARAMETERS.map((name) => [name.toLowerCase(), name]));
  const out: Partial<Record<Parameter, JsonValue>> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@')) continue;
    const name = byLowerName.get(key.toLowerCase());
    if (!name) throw graphErrors.invalidActionParameter(key, 'getSchedule');
    out[name] = value;
  }
  return out;
}

function required(value: JsonValue | undefined, name: Parameter): JsonValue {
  if (value === undefined || value === null) throw graphErrors.invalidParameter(`The parameter '${name}' is required.`);
  return value;
}

function schedulesOf(value: JsonValue): string[] {
  if (!Array.isArray(value)) throw graphErrors.invalidValue('schedules');
  return value.map((item) => {
    if (typeof item !== 'string') throw graphErrors.invalidValue('schedules');
    return item;
  });
}

/** A dateTimeTimeZone as an instant, read as event times are. */
function instantOf(value: JsonValue, name: 'startTime' | 'endTime'): number {
  return parseTime(value, name).ms;
}

/** Int32, also as a numeric string (Graph's concept page sends "15"). */
function intervalOf(value: JsonValue | undefined, windowMs: number): number {
  if (value === undefined || value === null) return DEFAULT_INTERVAL_MINUTES;
  const minutes = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes)) throw graphErrors.invalidValue('availabilityViewInterval');
  // Exchange also refuses a slot that is not shorter than the whole window.
  if (minutes < MIN_INTERVAL_MINUTES || minutes > MAX_INTERVAL_MINUTES || minutes * 60_000 >= windowMs) {
    throw graphErrors.invalidMergedFreeBusyInterval(MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES);
  }
  return minutes;
}

export function parseScheduleRequest(body: unknown): ScheduleRequest {
  if (!isJsonObject(body)) throw graphErrors.badRequest('Unable to read JSON request payload.');
  const params = parameters(body);
  const schedules = schedulesOf(required(params.schedules, 'schedules'));
  if (schedules.length > MAX_SCHEDULES) throw graphErrors.mailboxDataArrayTooBig(MAX_SCHEDULES, schedules.length);
  const startMs = instantOf(required(params.startTime, 'startTime'), 'startTime');
  const endMs = instantOf(required(params.endTime, 'endTime'), 'endTime');
  if (endMs <= startMs) throw graphErrors.invalidTimeInterval();
  if (endMs - startMs >= MAX_SCHEDULE_MS) throw graphErrors.timeIntervalTooBig(MAX_SCHEDULE_DAYS);
  const intervalMinutes = intervalOf(params.availabilityViewInterval, endMs - startMs);
  return { schedules, startMs, endMs, intervalMinutes };
}
