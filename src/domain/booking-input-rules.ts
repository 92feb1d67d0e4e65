/**
 * The booking input's rules that JSON Schema cannot say, as plain functions without zod: the API's
 * schemas (booking-input-schemas.ts) apply them with `.refine`, and the workflows apply the same
 * functions after their generated validators (src/workflows/input-rules.ts), so both ends judge
 * an input by one code. Pure and deterministic (no I/O, no clock): workflow code runs them.
 */

/** Single-line text: CR/LF or other control characters would let a value inject lines (iCalendar, headers). */
export function isSingleLineText(v: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
  return !/[\u0000-\u001f\u007f]/.test(v);
}

/** Multi-line text: newlines and tabs allowed, other control characters not. */
export function isMultiLineText(v: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * Epoch milliseconds of an RFC 3339 date-time with an offset (seconds and fraction optional),
 * or `undefined` when it is not one or names a day, hour or offset that does not exist.
 * Computed by hand rather than with `Date.parse`, whose reading of anything outside ECMAScript's
 * own format is up to the engine.
 */
export function instantMillis(v: string): number | undefined {
  const m = RFC3339.exec(v);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return undefined;
  const monthDays = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

/**
 * The instant as the API answers it (RFC 3339 as `format: date-time` reads it): upper-case `T`
 * and `Z`, seconds always present. The same instant and offset as given.
 */
export function canonicalInstant(v: string): string {
  const m = RFC3339.exec(v);
  if (!m) return v;
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  return `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}${fraction === undefined ? '' : `.${fraction}`}${zone!.toUpperCase()}`;
}

/** An IANA zone name as this runtime's time zone database knows it (what Luxon's `IANAZone.isValidZone` asks). */
export function isTimeZone(v: string): boolean {
  if (v === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v }).format();
    return true;
  } catch {
    return false;
  }
}

/** An absolute http(s) URL (meeting links, return URLs). */
export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Longest booking we accept: anything longer is almost certainly a unit mistake. */
const MAX_DURATION_MS = 31 * 24 * 60 * 60_000;

/**
 * What is wrong with a booking's times taken together (the `end` field's problem), or `undefined`.
 * Times that are not instants are left to the fields' own checks.
 */
export function timesProblem(v: { start?: string; end?: string }): string | undefined {
  if (!v.start || !v.end) return undefined;
  const start = instantMillis(v.start);
  const end = instantMillis(v.end);
  if (start === undefined || end === undefined) return undefined; // reported by the fields themselves
  if (!(end > start)) return 'end must be after start';
  if (end - start > MAX_DURATION_MS) return 'a booking may last at most 31 days';
  return undefined;
}

export const hasDistinctUserIds = (participants: ReadonlyArray<{ userId: string }>): boolean =>
  new Set(participants.map((p) => p.userId)).size === participants.length;
