import { z } from 'zod';

/**
 * Request schemas: one source for validation (and, later, the OpenAPI document). The booking
 * changes' own schemas live in src/domain/booking-input-schemas.ts, which the workflows check
 * their signals with too.
 */

import {
  cancelBodySchema as cancelBody,
  cancelShape,
  checkTimes,
  confirmBodySchema as confirmBody,
  confirmShape,
  httpUrl,
  idSchema,
  instant,
  instantMillis,
  rescheduleBodySchema as rescheduleBody,
  rescheduleShape,
  timeZone,
} from '../domain/booking-input-schemas';
import { MAX_BUSY_CALENDARS } from '../domain/busy-calendars';

export { httpUrl, idSchema };

// Examples for the OpenAPI document (`.meta` returns the same schema with them attached).

const confirmExample = {
  version: 3,
  title: 'Maths lesson',
  description: 'Chapter 4: quadratic equations.\nBring last week’s exercises.',
  start: '2026-04-12T15:00:00Z',
  end: '2026-04-12T16:00:00Z',
  timeZone: 'Europe/London',
  meetingUrl: 'https://meet.example.com/abc-defg-hij',
  participants: [
    { userId: 'tutor-17', role: 'tutor', name: 'Ada Tutor', email: 'ada.tutor@example.com' },
    { userId: 'client-42', role: 'client', name: 'Sam Client', email: 'sam@example.org' },
  ],
};
const rescheduleExample = { version: 4, start: '2026-04-13T15:00:00Z', end: '2026-04-13T16:00:00Z' };
const cancelExample = { version: 5, reason: 'The client is ill.' };

export const confirmBodySchema = confirmBody.meta({ examples: [confirmExample] });
export const rescheduleBodySchema = rescheduleBody.meta({ examples: [rescheduleExample] });
export const cancelBodySchema = cancelBody.meta({ examples: [cancelExample] });

/**
 * A signed booking webhook: the same three changes as the routes, with the booking id in
 * `data`. `id` is the sender's event id, used to acknowledge redeliveries without re-applying.
 */
const envelope = { id: idSchema('id'), occurredAt: instant };
const bookingId = idSchema('bookingId');
const webhookExamples = {
  'booking.confirmed': {
    id: 'evt_01HV3K9Q2X7M4N8P',
    type: 'booking.confirmed',
    occurredAt: '2026-04-01T09:12:28Z',
    data: { bookingId: 'bk_2026_0412', ...confirmExample },
  },
  'booking.rescheduled': {
    id: 'evt_01HV3M1B6Y0R5S2T',
    type: 'booking.rescheduled',
    occurredAt: '2026-04-03T11:40:05Z',
    data: { bookingId: 'bk_2026_0412', ...rescheduleExample },
  },
  'booking.cancelled': {
    id: 'evt_01HV3P7C8Z3U6V9W',
    type: 'booking.cancelled',
    occurredAt: '2026-04-05T08:02:51Z',
    data: { bookingId: 'bk_2026_0412', ...cancelExample },
  },
};
export const webhookEventSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        ...envelope,
        type: z.literal('booking.confirmed'),
        data: z.strictObject({ bookingId, ...confirmShape }).superRefine(checkTimes),
      })
      .meta({ title: 'booking.confirmed', description: 'Confirm (or update) a booking', examples: [webhookExamples['booking.confirmed']] }),
    z
      .strictObject({
        ...envelope,
        type: z.literal('booking.rescheduled'),
        data: z.strictObject({ bookingId, ...rescheduleShape }).superRefine(checkTimes),
      })
      .meta({ title: 'booking.rescheduled', description: 'Move a booking', examples: [webhookExamples['booking.rescheduled']] }),
    z
      .strictObject({ ...envelope, type: z.literal('booking.cancelled'), data: z.strictObject({ bookingId, ...cancelShape }) })
      .meta({ title: 'booking.cancelled', description: 'Cancel a booking', examples: [webhookExamples['booking.cancelled']] }),
  ])
  .meta({ examples: Object.values(webhookExamples) });
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const oauthProviderSchema = z.enum(['google', 'microsoft']);

export const connectLinkBodySchema = z
  .strictObject({ provider: oauthProviderSchema, returnUrl: httpUrl.optional() })
  .meta({ examples: [{ provider: 'google', returnUrl: 'https://app.example.com/account/calendar' }] });

/** One reminder: minutes before the event starts, up to four weeks (Google's and this service's limit). */
const reminderSchema = z.strictObject({ method: z.enum(['email', 'popup']), minutes: z.number().int().min(0).max(40320) });

/** `reminders`: each provider's own limit is checked against the account (src/events/reminder-limits.ts). */
export const patchAccountBodySchema = z
  .strictObject({
    syncEnabled: z.boolean().optional(),
    calendarId: z.string().min(1).max(1024).optional(),
    reminders: z.array(reminderSchema).max(20).nullable().optional(),
    busyCalendarIds: z.array(z.string().min(1).max(1024)).min(1).max(MAX_BUSY_CALENDARS).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: send syncEnabled, calendarId, reminders or busyCalendarIds')
  .meta({
    examples: [
      {
        calendarId: 'c_8d1f0e2a9b@group.calendar.google.com',
        reminders: [{ method: 'popup', minutes: 30 }],
        busyCalendarIds: ['primary', 'c_8d1f0e2a9b@group.calendar.google.com'],
      },
      { syncEnabled: false },
    ],
  });

/** A settings link: optionally the IANA zone its pages show times in (else the browser's own). */
export const settingsLinkBodySchema = z
  .strictObject({
    timeZone: timeZone
      .max(100)
      .optional()
      .describe("IANA zone the settings page shows times in, e.g. Europe/Paris; default: the browser's"),
  })
  .meta({ examples: [{ timeZone: 'Europe/Paris' }, {}] });

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
  })
  .meta({
    examples: [
      { provider: 'caldav', serverUrl: 'https://dav.fastmail.com/dav/', username: 'ada@fastmail.com', password: 'app-password-1234' },
      { provider: 'icloud', username: 'ada@icloud.com', password: 'abcd-efgh-ijkl-mnop' },
    ],
  });

/**
 * Reconnecting a CalDAV or iCloud account with a new app password; the user name and server URL
 * default to the stored ones. Verified by discovery before anything is stored.
 */
export const caldavReconnectBodySchema = z
  .strictObject({
    serverUrl: httpUrl.optional(),
    username: z.string().trim().min(1).max(320).optional(),
    password: z.string().min(1).max(1024),
  })
  .meta({ examples: [{ password: 'qrst-uvwx-yzab-cdef' }] });

export type ConfirmBody = z.infer<typeof confirmBodySchema>;
export type RescheduleBody = z.infer<typeof rescheduleBodySchema>;
export type CancelBody = z.infer<typeof cancelBodySchema>;

/** Longest range busy times are asked for at once. */
const MAX_BUSY_RANGE_MS = 100 * 24 * 60 * 60_000;

function checkRange(v: { from: string; to: string } | { start: string; end: string }, ctx: z.RefinementCtx): void {
  const [a, b, key] = 'from' in v ? [v.from, v.to, 'to'] : [v.start, v.end, 'end'];
  const start = instantMillis(a) ?? NaN;
  const end = instantMillis(b) ?? NaN;
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
  .superRefine(checkRange)
  .meta({ examples: [{ userIds: ['tutor-17', 'client-42'], start: '2026-04-12T15:00:00Z', end: '2026-04-12T16:00:00Z' }] });

/** `GET /v1/notifications` query. */
/** An opaque page cursor as a previous page's `nextCursor` gave it. */
const cursor = z.string().min(1).max(2000).optional();

export const notificationsQuerySchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor,
});

/** `GET /v1/users/:userId/bookings` query: bookings overlapping [from, to), by start time. */
export const userBookingsQuerySchema = z
  .strictObject({
    status: z.enum(['confirmed', 'cancelled']).optional(),
    from: instant.optional().describe('only bookings that end after this instant'),
    to: instant.optional().describe('only bookings that start before this instant'),
    cursor: cursor.describe("the previous page's nextCursor (with the same filters)"),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .superRefine((q, ctx) => {
    if (q.from === undefined || q.to === undefined) return;
    if (!((instantMillis(q.to) ?? NaN) > (instantMillis(q.from) ?? NaN)))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  });

/** `GET /v1/bookings/:bookingId/history` query. */
export const bookingHistoryQuerySchema = z.strictObject({
  cursor: cursor.describe("the previous page's nextCursor"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const base64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** The Temporal codec server's body, in and out. */
export const codecPayloadsSchema = z
  .strictObject({
    payloads: z.array(z.strictObject({ metadata: z.record(z.string().max(200), base64).optional(), data: base64.optional() })).max(1000),
  })
  .meta({ examples: [{ payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJib29raW5nSWQiOiJia18yMDI2XzA0MTIifQ==' }] }] });

/**
 * `DELETE /v1/users/:userId` and `DELETE …/connections/:connectionId`: remove the events this
 * service wrote in the calendars too.
 */
export const removeEventsQuerySchema = z.strictObject({ removeEvents: z.enum(['true', 'false']).optional() });
