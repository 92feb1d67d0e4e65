import { z } from 'zod';
import { instant } from './instants';

// What the booking routes answer (src/api/routes/bookings.ts, src/domain/booking-view.ts,
// src/db/booking-history.ts).

const BOOKING_ID = 'bk_2026_0412';
const USER_ID = 'tutor-17';
const CONNECTION_ID = '6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d';

/** 202 of confirm, reschedule and cancel: the change was durably handed to the booking's workflow. */
function accepted<K extends 'confirm' | 'reschedule' | 'cancel'>(kind: K) {
  return z.object({ bookingId: z.string(), accepted: z.literal(kind) }).meta({ examples: [{ bookingId: BOOKING_ID, accepted: kind }] });
}
export const confirmAcceptedSchema = accepted('confirm');
export const rescheduleAcceptedSchema = accepted('reschedule');
export const cancelAcceptedSchema = accepted('cancel');

const calendarSyncState = z.enum(['pending', 'synced', 'failed', 'skipped', 'deleted', 'removed_externally', 'moved_externally']);

/** One participant's calendar (or, provider `email`, their invitation mail) and the state of our event there. */
export const calendarViewSchema = z.object({
  userId: z.string(),
  connectionId: z.string().nullable().describe('null: no connected calendar (skipped) or an e-mail invitation'),
  provider: z.string().nullable().describe('`google`, `microsoft`, `caldav`, `icloud`, `email` (invitation mail); null when skipped'),
  state: calendarSyncState,
  externalEventId: z.string().optional(),
  lastError: z.string().optional(),
  syncedAt: instant.optional(),
  externallyChangedAt: instant
    .optional()
    .describe('when the user’s deletion or move (`removed_externally`, `moved_externally`) was first seen'),
});

const bookingExample = {
  bookingId: BOOKING_ID,
  status: 'confirmed' as const,
  version: 3,
  title: 'Maths lesson',
  start: '2026-04-12T15:00:00Z',
  end: '2026-04-12T16:00:00Z',
  timeZone: 'Europe/London',
  meetingUrl: 'https://meet.example.com/abc-defg-hij',
  participants: [
    { userId: USER_ID, role: 'tutor', name: 'Ada Tutor' },
    { userId: 'client-42', role: 'client', name: 'Sam Client' },
  ],
  syncState: 'synced' as const,
  calendars: [
    {
      userId: USER_ID,
      connectionId: CONNECTION_ID,
      provider: 'google',
      state: 'synced' as const,
      externalEventId: 'k3l9m2n1o0p8q7r6s5t4u3v2w1',
      syncedAt: '2026-04-01T09:12:31.204Z',
    },
    { userId: 'client-42', connectionId: null, provider: null, state: 'skipped' as const, syncedAt: '2026-04-01T09:12:30.871Z' },
  ],
};

/** `GET /v1/bookings/:bookingId`: the booking and each participant calendar's state. */
export const bookingViewSchema = z
  .object({
    bookingId: z.string(),
    status: z.enum(['confirmed', 'cancelled']),
    version: z.number().int().nullable().describe('the booking system’s newest `version` applied; null when none was sent'),
    title: z.string(),
    description: z.string().optional(),
    start: instant,
    end: instant,
    timeZone: z.string(),
    location: z.string().optional(),
    meetingUrl: z.string().optional(),
    participants: z.array(
      z.object({
        userId: z.string(),
        role: z.string(),
        name: z.string(),
        sync: z.boolean().optional().describe('`false` when the booking system opted this person out; absent otherwise'),
      }),
    ),
    cancelReason: z.string().optional(),
    syncState: z.enum(['pending', 'synced', 'degraded']),
    calendars: z.array(calendarViewSchema),
  })
  .meta({ examples: [bookingExample] });

const cursor = z.string().nullable().describe('pass as `cursor` for the next page; null on the last page');

/** `GET /v1/users/:userId/bookings`. */
export const userBookingsPageSchema = z
  .object({ bookings: z.array(bookingViewSchema), nextCursor: cursor })
  .meta({ examples: [{ bookings: [bookingExample], nextCursor: null }] });

const calendarEntryFields = {
  at: instant,
  operation: z.string().describe('e.g. `upsert`, `delete`'),
  outcome: z.string().describe('`ok`, `retrying` (another attempt follows), `failed` (final), `needs_reauth`'),
  userId: z.string().nullable(),
  connectionId: z.string().nullable(),
  provider: z.string().nullable(),
  externalEventId: z.string().optional(),
  detail: z.string().optional().describe("the provider's typed error or what happened"),
};

/** One entry of a booking's history. */
export const bookingHistoryEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('calendar'), ...calendarEntryFields, revision: z.number().int().nullable() }),
  z.object({
    kind: z.literal('external_edit'),
    ...calendarEntryFields,
    operation: z.string().describe('`external_delete` or `external_move`'),
  }),
  z.object({
    kind: z.literal('notification'),
    at: instant,
    notificationId: z.string(),
    type: z.string().describe('a notification type (see `webhooks`)'),
    status: z.string().describe('`pending`, `delivered`, `failed`'),
    attempts: z.number().int(),
    lastError: z.string().optional(),
    deliveredAt: instant.optional(),
    data: z.record(z.string(), z.unknown()).describe('the notification’s `data`'),
  }),
  z.object({
    kind: z.literal('invitation'),
    at: instant,
    userId: z.string(),
    method: z.string().describe('`REQUEST` (invitation) or `CANCEL` (its withdrawal)'),
    revision: z.number().int(),
  }),
]);

/** `GET /v1/bookings/:bookingId/history`: oldest first. */
export const bookingHistoryPageSchema = z
  .object({ bookingId: z.string(), entries: z.array(bookingHistoryEntrySchema), nextCursor: cursor })
  .meta({
    examples: [
      {
        bookingId: BOOKING_ID,
        entries: [
          {
            kind: 'calendar',
            at: '2026-04-01T09:12:31.204Z',
            operation: 'upsert',
            outcome: 'ok',
            userId: USER_ID,
            connectionId: CONNECTION_ID,
            provider: 'google',
            revision: 1,
            externalEventId: 'k3l9m2n1o0p8q7r6s5t4u3v2w1',
          },
          {
            kind: 'notification',
            at: '2026-04-02T10:00:02.118Z',
            notificationId: '0b7e6f5a-4c3d-4b2a-8f1e-9d8c7b6a5f4e',
            type: 'booking.moved_externally',
            status: 'delivered',
            attempts: 1,
            deliveredAt: '2026-04-02T10:00:02.530Z',
            data: { bookingId: BOOKING_ID, userId: USER_ID, connectionId: CONNECTION_ID, policy: 'respect' },
          },
        ],
        nextCursor: null,
      },
    ],
  });
