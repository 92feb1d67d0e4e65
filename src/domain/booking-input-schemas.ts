import { z } from 'zod';
import { eventTemplatesSchema } from './event-templates';

/**
 * The booking system's input, checked the same way at both ends: the API parses requests with
 * these schemas, and the booking and connection workflows parse every signal and start input
 * with them again, so what reaches a workflow by another way than the API (anyone who can
 * signal it) meets the same rules. Pure JavaScript (zod, no Node or I/O), so the workflow
 * bundle can include it; results depend only on the input.
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const idSchema = (what: string) =>
  z.string().regex(ID, `${what} must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit`);

/** Single-line text: CR/LF or other control characters would let a value inject lines (iCalendar, headers). */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must be a single line without control characters');

/**
 * Multi-line text: newlines and tabs allowed, other control characters not. Line breaks are
 * stored as LF (CRLF and CR become LF), the one form every calendar keeps exactly.
 */
export const multiLine = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
    .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'must not contain control characters')
    .transform((v) => v.replace(/\r\n?/g, '\n'));

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

export const instant = z
  .string()
  .refine((v) => instantMillis(v) !== undefined, 'must be an RFC 3339 date-time with an offset, e.g. 2026-03-01T15:00:00Z')
  // What the OpenAPI document says of it (the refinement itself has no JSON Schema form).
  .meta({ format: 'date-time' });

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

export const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/London');

/**
 * Highest booking-system `version` accepted. Versions only ever grow, so a value past any
 * the booking system will send would freeze the booking: the bound keeps them exact integers.
 */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;
export const versionNumber = z.number().int().min(0).max(MAX_VERSION);
const version = versionNumber.optional();

/** An absolute http(s) URL (meeting links, return URLs). */
export const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

/** Longest booking we accept: anything longer is almost certainly a unit mistake. */
const MAX_DURATION_MS = 31 * 24 * 60 * 60_000;

function checkTimes(v: { start?: string; end?: string }, ctx: z.RefinementCtx): void {
  if (!v.start || !v.end) return;
  const start = instantMillis(v.start);
  const end = instantMillis(v.end);
  if (start === undefined || end === undefined) return; // reported by the fields themselves
  if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
  else if (end - start > MAX_DURATION_MS) ctx.addIssue({ code: 'custom', path: ['end'], message: 'a booking may last at most 31 days' });
}

export const participantSchema = z.strictObject({
  userId: idSchema('userId'),
  role: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'role must be a lowercase word such as tutor or client'),
  name: singleLine(200),
  email: z.email('must be an e-mail address').max(320),
  sync: z
    .boolean()
    .optional()
    .describe(
      'false: no calendar event, feed entry or invitation for this person; events made for them earlier are removed (default true)',
    ),
});

export const bookingDetailsShape = {
  title: singleLine(300),
  description: multiLine(8000).optional(),
  start: instant,
  end: instant,
  timeZone,
  location: singleLine(1000).optional(),
  meetingUrl: httpUrl.optional(),
  participants: z
    .array(participantSchema)
    .min(1, 'at least one participant is required')
    .max(50)
    .refine((ps) => new Set(ps.map((p) => p.userId)).size === ps.length, 'participants must have distinct userIds'),
  templates: eventTemplatesSchema.optional(),
};
export const confirmShape = { version, ...bookingDetailsShape };
export const rescheduleShape = { version, start: instant, end: instant, timeZone: timeZone.optional() };
export const cancelShape = { version, reason: multiLine(1000).optional() };

export const bookingDetailsSchema = z.strictObject(bookingDetailsShape).superRefine(checkTimes);
export const confirmBodySchema = z.strictObject(confirmShape).superRefine(checkTimes);
export const rescheduleBodySchema = z.strictObject(rescheduleShape).superRefine(checkTimes);
export const cancelBodySchema = z.strictObject(cancelShape);
export { checkTimes };

// What the API sends the workflows, in the shapes of src/workflows/messages.ts.

/** The `confirm` signal: the confirm body with the booking apart from its version. */
export const confirmChangeSchema = z.strictObject({ version, booking: bookingDetailsSchema });
export const rescheduleChangeSchema = rescheduleBodySchema;
export const cancelChangeSchema = cancelBodySchema;
export const syncConnectionRequestSchema = z.strictObject({ connectionId: idSchema('connectionId') });
export const connectedEventSchema = z.strictObject({ reconnect: z.boolean() });
export const disconnectRequestSchema = z.strictObject({ removeEvents: z.boolean() });
export const eraseParticipantRequestSchema = z.strictObject({ userId: idSchema('userId') });

/** WORKFLOW_MAX_HISTORY_EVENTS as the workflows receive it. */
const maxHistoryEvents = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const calendarRecordSchema = z.looseObject({
  userId: idSchema('userId'),
  connectionId: idSchema('connectionId').nullable(),
  provider: z.string().max(100).nullable(),
  state: z.enum(['pending', 'synced', 'failed', 'skipped', 'deleted', 'removed_externally', 'moved_externally']),
  syncedRevision: count.optional(),
});

/** What a booking workflow carries across continue-as-new (`CarriedState`), checked again on the new run. */
const carriedBookingSchema = z.looseObject({
  desired: z
    .looseObject({
      status: z.enum(['confirmed', 'cancelled']),
      // Erasing a booking's last participant leaves none (the booking is then cancelled).
      details: z
        .strictObject({ ...bookingDetailsShape, participants: bookingDetailsShape.participants.or(z.array(participantSchema).length(0)) })
        .superRefine(checkTimes),
      versions: z.strictObject({ details: versionNumber.nullable(), times: versionNumber.nullable() }),
      cancelReason: multiLine(1000).optional(),
    })
    .nullable(),
  revision: count,
  savedRevision: count,
  calendars: z.array(calendarRecordSchema).max(1000),
});

/** `BookingWorkflowInput`: what the API starts a booking's workflow with (and continue-as-new carries). */
export const bookingWorkflowInputSchema = z.strictObject({
  bookingId: idSchema('bookingId'),
  carried: carriedBookingSchema.optional(),
  maxHistoryEvents,
});

/** `CalendarAccountWorkflowInput`: what the API starts a calendar account's workflow with (and continue-as-new carries). */
export const calendarAccountWorkflowInputSchema = z.strictObject({
  connectionId: idSchema('connectionId'),
  userId: idSchema('userId'),
  maxHistoryEvents,
  bulkSyncRuns: count.optional(),
  reauthNotified: z.boolean().optional(),
});
