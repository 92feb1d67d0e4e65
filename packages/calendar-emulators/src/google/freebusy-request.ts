import { IANAZone } from 'luxon';
import { apiErrors } from './errors';
import { isJsonObject, parseInstant } from './event-model';
import type { JsonObject } from './types';

// The body of freeBusy.query, checked the way Google checks it: both ends of the range
// required, RFC 3339 with an offset, not empty and not longer than Google allows, at most
// as many calendars as one query may ask for.

/** Google refuses ranges "beyond ~90 days" with timeRangeTooLong; the sandbox draws the line at 90 days. */
export const MAX_FREEBUSY_RANGE_MS = 90 * 24 * 60 * 60 * 1000;
/** calendarExpansionMax's ceiling, and how many calendars a query may name without it. */
export const MAX_FREEBUSY_CALENDARS = 50;
/** groupExpansionMax's ceiling (the sandbox has no groups, but the value is still checked). */
const MAX_GROUP_EXPANSION = 100;

export interface FreeBusyRequest {
  timeMinMs: number;
  timeMaxMs: number;
  /** The zone busy periods are written in; UTC unless the body names one. */
  timeZone: string;
  /** The calendar ids as the caller wrote them (they key the answer), duplicates dropped. */
  ids: string[];
}

function requiredTime(body: JsonObject, field: 'timeMin' | 'timeMax'): number {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw apiErrors.required(`Missing ${field} parameter.`);
  // A time without an offset (or anything else) is Google's bare 400 badRequest here.
  const ms = typeof value === 'string' ? parseInstant(value) : undefined;
  if (ms === undefined) throw apiErrors.badRequest();
  return ms;
}

function optionalLimit(body: JsonObject, field: string, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw apiErrors.invalid(`Invalid value for: ${field}`);
  }
  return value;
}

function timeZoneOf(body: JsonObject): string {
  const value = body['timeZone'];
  if (value === undefined || value === null || value === '') return 'UTC';
  if (typeof value !== 'string' || !IANAZone.isValidZone(value)) throw apiErrors.invalid('Invalid value for: timeZone');
  return value;
}

function calendarIds(body: JsonObject): string[] {
  const items = body['items'];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw apiErrors.badRequest();
  const ids = items.map((item) => {
    const id = isJsonObject(item) ? item['id'] : undefined;
    if (typeof id !== 'string' || id === '') throw apiErrors.required('Missing calendar id.');
    return id;
  });
  return [...new Set(ids)];
}

export function parseFreeBusyRequest(body: unknown): FreeBusyRequest {
  if (body !== undefined && body !== null && !isJsonObject(body)) throw apiErrors.parseError();
  const input: JsonObject = isJsonObject(body) ? body : {};
  const timeMinMs = requiredTime(input, 'timeMin');
  const timeMaxMs = requiredTime(input, 'timeMax');
  if (timeMaxMs <= timeMinMs) throw apiErrors.timeRangeEmpty();
  if (timeMaxMs - timeMinMs > MAX_FREEBUSY_RANGE_MS) throw apiErrors.timeRangeTooLong();
  const calendarLimit = optionalLimit(input, 'calendarExpansionMax', MAX_FREEBUSY_CALENDARS) ?? MAX_FREEBUSY_CALENDARS;
  optionalLimit(input, 'groupExpansionMax', MAX_GROUP_EXPANSION);
  const timeZone = timeZoneOf(input);
  const ids = calendarIds(input);
  if (ids.length > calendarLimit) throw apiErrors.tooManyCalendarsRequested();
  return { timeMinMs, timeMaxMs, timeZone, ids };
}
