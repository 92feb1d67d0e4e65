import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/** Request schemas: one source for validation (and, later, the OpenAPI document). */

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const idSchema = (what: string) =>
  z.string().regex(ID, `${what} must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit`);

/** Single-line text: CR/LF or other control characters would let a value inject lines (iCalendar, headers). */
const singleLine = (max: number) =>
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
const multiLine = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
    .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'must not contain control characters')
    .transform((v) => v.replace(/\r\n?/g, '\n'));

const instant = z
  .string()
  .refine(
    (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && DateTime.fromISO(v).isValid,
    'must be an RFC 3339 date-time with an offset, e.g. 2026-03-01T15:00:00Z',
  );

const timeZone = z.string().refine((v) => IANAZone.isValidZone(v), 'must be an IANA time zone, e.g. Europe/London');

const version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();

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
  const start = DateTime.fromISO(v.start).toMillis();
  const end = DateTime.fromISO(v.end).toMillis();
  if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start' });
  else if (end - start > MAX_DURATION_MS) ctx.addIssue({ code: 'custom', path: ['end'], message: 'a booking may last at most 31 days' });
}

export const participantSchema = z.strictObject({
  userId: idSchema('userId'),
  role: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'role must be a lowercase word such as tutor or client'),
  name: singleLine(200),
  email: z.email('must be an e-mail address').max(320),
});

const confirmShape = {
  version,
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
};
const rescheduleShape = { version, start: instant, end: instant, timeZone: timeZone.optional() };
const cancelShape = { version, reason: multiLine(1000).optional() };

export const confirmBodySchema = z.strictObject(confirmShape).superRefine(checkTimes);
export const rescheduleBodySchema = z.strictObject(rescheduleShape).superRefine(checkTimes);
export const cancelBodySchema = z.strictObject(cancelShape);

/**
 * A signed booking webhook: the same three changes as the routes, with the booking id in
 * `data`. `id` is the sender's event id, used to acknowledge redeliveries without re-applying.
 */
const envelope = { id: idSchema('id'), occurredAt: instant };
const bookingId = idSchema('bookingId');
export const webhookEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...envelope,
    type: z.literal('booking.confirmed'),
    data: z.strictObject({ bookingId, ...confirmShape }).superRefine(checkTimes),
  }),
  z.strictObject({
    ...envelope,
    type: z.literal('booking.rescheduled'),
    data: z.strictObject({ bookingId, ...rescheduleShape }).superRefine(checkTimes),
  }),
  z.strictObject({ ...envelope, type: z.literal('booking.cancelled'), data: z.strictObject({ bookingId, ...cancelShape }) }),
]);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const oauthProviderSchema = z.enum(['google', 'microsoft']);

export const connectLinkBodySchema = z.strictObject({ provider: oauthProviderSchema, returnUrl: httpUrl.optional() });

export const patchAccountBodySchema = z
  .strictObject({ syncEnabled: z.boolean().optional(), calendarId: z.string().min(1).max(1024).optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: send syncEnabled or calendarId');

/** Connecting a CalDAV account: verified by discovery before anything is stored. */
export const caldavAccountBodySchema = z
  .strictObject({
    provider: z.enum(['caldav', 'icloud']),
    serverUrl: httpUrl.optional(),
    username: z.string().trim().min(1).max(320),
    password: z.string().min(1).max(1024),
  })
  .refine((b) => b.provider === 'icloud' || b.serverUrl !== undefined, {
    message: 'serverUrl is required for caldav',
    path: ['serverUrl'],
  });

export type ConfirmBody = z.infer<typeof confirmBodySchema>;
export type RescheduleBody = z.infer<typeof rescheduleBodySchema>;
export type CancelBody = z.infer<typeof cancelBodySchema>;

/** Longest range busy times are asked for at once. */
const MAX_BUSY_RANGE_MS = 100 * 24 * 60 * 60_000;

function checkRange(v: { from: string; to: string } | { start: string; end: string }, ctx: z.RefinementCtx): void {
  const [a, b, key] = 'from' in v ? [v.from, v.to, 'to'] : [v.start, v.end, 'end'];
  const start = DateTime.fromISO(a).toMillis();
  const end = DateTime.fromISO(b).toMillis();
  if (!(end > start)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be after ${key === 'to' ? 'from' : 'start'}` });
  else if (end - start > MAX_BUSY_RANGE_MS) ctx.addIssue({ code: 'custom', path: [key], message: 'the range may span at most 100 days' });
}

export const busyQuerySchema = z.strictObject({ from: instant, to: instant }).superRefine(checkRange);

export const availabilityCheckBodySchema = z
  .strictObject({
    userIds: z.array(idSchema('userId')).min(1, 'at least one userId is required').max(50),
    start: instant,
    end: instant,
  })
  .superRefine(checkRange);

/** `GET /v1/notifications` query. */
export const notificationsQuerySchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const base64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** The Temporal codec server's body, in and out. */
export const codecPayloadsSchema = z.strictObject({
  payloads: z.array(z.strictObject({ metadata: z.record(z.string().max(200), base64).optional(), data: base64.optional() })).max(1000),
});
