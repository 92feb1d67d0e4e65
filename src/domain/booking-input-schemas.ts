import { z } from 'zod';
import {
  hasDistinctUserIds,
  instantMillis,
  isHttpUrl,
  isMultiLineText,
  isSingleLineText,
  isTimeZone,
  timesProblem,
} from './booking-input-rules';
import { eventTemplatesSchema } from './event-templates';

export { canonicalInstant, instantMillis, isTimeZone } from './booking-input-rules';

/**
 * The booking system's input, checked the same way at both ends: the API parses requests with
 * these schemas, and the booking and connection workflows check every signal and start input
 * against them again, so what reaches a workflow by another way than the API (anyone who can
 * signal it) meets the same rules. The workflows do not load zod (building these schemas on every
 * workflow's module evaluation cost a quarter of the worker's workflow CPU): they run validators
 * generated from these schemas' JSON Schema (src/workflows/generated, `npm run generate:validators`)
 * and then the rules JSON Schema cannot say, which live zod-free in booking-input-rules.ts and
 * template-syntax.ts and are the very functions the `.refine`s below call.
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const idSchema = (what: string) =>
  z.string().regex(ID, `${what} must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit`);

/** Single-line text: CR/LF or other control characters would let a value inject lines (iCalendar, headers). */
export const singleLine = (max: number) =>
  z.string().trim().min(1).max(max).refine(isSingleLineText, 'must be a single line without control characters');

/**
 * Multi-line text: newlines and tabs allowed, other control characters not. Line breaks are
 * stored as LF (CRLF and CR become LF), the one form every calendar keeps exactly.
 */
export const multiLine = (max: number) =>
  z
    .string()
    .max(max)
    .refine(isMultiLineText, 'must not contain control characters')
    .transform((v) => v.replace(/\r\n?/g, '\n'));

export const instant = z
  .string()
  .refine((v) => instantMillis(v) !== undefined, 'must be an RFC 3339 date-time with an offset, e.g. 2026-03-01T15:00:00Z')
  // What the OpenAPI document says of it (the refinement itself has no JSON Schema form).
  .meta({ format: 'date-time' });

export const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/London');

/**
 * Highest booking-system `version` accepted. Versions only ever grow, so a value past any
 * the booking system will send would freeze the booking: the bound keeps them exact integers.
 */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;
export const versionNumber = z.number().int().min(0).max(MAX_VERSION);
const version = versionNumber.optional();

/** An absolute http(s) URL (meeting links, return URLs). */
export const httpUrl = z.string().max(2000).refine(isHttpUrl, 'must be an absolute http(s) URL');

function checkTimes(v: { start?: string; end?: string }, ctx: z.RefinementCtx): void {
  const problem = timesProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: problem });
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
    .refine(hasDistinctUserIds, 'participants must have distinct userIds'),
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
