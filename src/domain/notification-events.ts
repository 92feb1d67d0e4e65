import { z } from 'zod';
import type { NotificationType } from './notifications';

/**
 * The `data` of each notification type sent to NOTIFY_URL: part of the contract (the OpenAPI
 * document's `webhooks`). Workflows type `emitNotification` with `NotificationData` (types only:
 * this module's schemas are for the document, not parsed at run time).
 */

const USER_ID = 'tutor-17';
const CONNECTION_ID = '6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d';
const BOOKING_ID = 'bk_2026_0412';

const userId = z.string().describe("the booking system's user id");
const connectionId = z.string().describe('the calendar connection');
const bookingId = z.string();
const externalEdit = (what: string) =>
  z
    .object({
      bookingId,
      userId,
      connectionId,
      policy: z.enum(['respect', 'restore']).describe('EXTERNAL_EDIT_POLICY: `restore` writes the event again'),
    })
    .describe(`the user ${what} our event in their calendar`)
    .meta({ examples: [{ bookingId: BOOKING_ID, userId: USER_ID, connectionId: CONNECTION_ID, policy: 'respect' }] });

export const NOTIFICATION_DATA_SCHEMAS = {
  'connection.connected': z
    .object({ userId, connectionId, reconnect: z.boolean().describe('an existing connection was connected again') })
    .describe('a calendar was connected (or reconnected)')
    .meta({ examples: [{ userId: USER_ID, connectionId: CONNECTION_ID, reconnect: false }] }),
  'connection.needs_reauth': z
    .object({ userId, connectionId })
    .describe('the user must reconnect the calendar (its grant was revoked or expired)')
    .meta({ examples: [{ userId: USER_ID, connectionId: CONNECTION_ID }] }),
  'connection.bulk_sync_completed': z
    .object({
      connectionId,
      userId,
      provider: z.string().nullable().describe('`google`, `microsoft`, `caldav`, `icloud`; null when unknown'),
      counts: z.object({ bookings: z.number().int().describe('bookings written into the calendar') }),
    })
    .describe("a (re)connected calendar's bulk sync of the user's existing bookings finished")
    .meta({ examples: [{ connectionId: CONNECTION_ID, userId: USER_ID, provider: 'google', counts: { bookings: 12 } }] }),
  'connection.error': z
    .object({
      userId,
      connectionId,
      reason: z.enum(['calendar_not_found', 'calendar_forbidden', 'account_disabled', 'secret_unavailable']),
      message: z.string().describe('what to do, for the user'),
    })
    .describe('the connection went to `error` (once per episode); it heals by itself when the cause goes')
    .meta({
      examples: [
        {
          userId: USER_ID,
          connectionId: CONNECTION_ID,
          reason: 'calendar_not_found',
          message: 'The calendar bookings are added to no longer exists: choose another calendar.',
        },
      ],
    }),
  'booking.sync_failed': z
    .object({
      bookingId,
      userId,
      connectionId: z.string().nullable().describe('null for an invitation mail'),
      operation: z.enum(['upsert', 'delete', 'invite', 'cancel_invitation']),
      reason: z.string().describe('the failure type, e.g. `ProviderRejected`, `AccountError`, `invitation_refused`'),
    })
    .describe("a booking's event could not be written (or its invitation mail sent)")
    .meta({
      examples: [{ bookingId: BOOKING_ID, userId: USER_ID, connectionId: CONNECTION_ID, operation: 'upsert', reason: 'ProviderRejected' }],
    }),
  'booking.conflict_detected': z
    .object({
      bookingId,
      userId,
      connectionId,
      busyStart: z.iso.datetime({ offset: true }),
      busyEnd: z.iso.datetime({ offset: true }),
    })
    .describe("something else in the user's calendar overlaps the booking")
    .meta({
      examples: [
        {
          bookingId: BOOKING_ID,
          userId: USER_ID,
          connectionId: CONNECTION_ID,
          busyStart: '2026-04-12T15:30:00.000Z',
          busyEnd: '2026-04-12T16:30:00.000Z',
        },
      ],
    }),
  'booking.removed_externally': externalEdit('deleted'),
  'booking.moved_externally': externalEdit('moved'),
} satisfies Record<NotificationType, z.ZodType>;

/** Each notification type's `data`, as workflows emit it. */
export type NotificationData = { [T in NotificationType]: z.output<(typeof NOTIFICATION_DATA_SCHEMAS)[T]> };
