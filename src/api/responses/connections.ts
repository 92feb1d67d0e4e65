import { z } from 'zod';
import { instant } from './instants';

// What the connection routes answer (src/api/calendar-account-json.ts, src/api/routes/calendar-accounts.ts, oauth.ts).

const CONNECTION_ID = '6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d';

const reminderSchema = z.object({ method: z.enum(['email', 'popup']), minutes: z.number().int() });

const connectionExample = {
  id: CONNECTION_ID,
  provider: 'google' as const,
  accountEmail: 'ada.tutor@example.com',
  status: 'active' as const,
  syncEnabled: true,
  calendarId: 'primary',
  reminders: null,
  busyCalendarIds: null,
  lastSyncedAt: '2026-04-01T09:15:02.551Z',
  lastError: null,
  bulkSync: {
    state: 'completed' as const,
    total: 12,
    done: 12,
    startedAt: '2026-04-01T09:12:29.004Z',
    finishedAt: '2026-04-01T09:12:40.377Z',
  },
};

/** A calendar account ("a connection"), never a secret. */
export const connectionSchema = z
  .object({
    id: z.uuid(),
    provider: z.enum(['google', 'microsoft', 'caldav', 'icloud']),
    accountEmail: z.string().nullable().describe('null when none is stored'),
    status: z.enum(['active', 'needs_reauth', 'error', 'disconnected']),
    syncEnabled: z.boolean(),
    calendarId: z.string().describe('the calendar events go to (`primary`: the OAuth account’s default one)'),
    serverUrl: z.string().optional().describe('CalDAV and iCloud: the server the account was connected on'),
    reminders: z.array(reminderSchema).nullable().describe('the account’s own reminders; null: the deployment’s EVENT_REMINDERS'),
    busyCalendarIds: z
      .array(z.string())
      .nullable()
      .describe('the calendars whose busy times count for conflicts; null: the primary calendar and the one events go to'),
    lastSyncedAt: instant.nullable(),
    lastError: z.string().nullable(),
    errorReason: z
      .enum(['calendar_not_found', 'calendar_forbidden', 'account_disabled', 'secret_unavailable'])
      .optional()
      .describe('in `error`, its cause when known'),
    bulkSync: z
      .object({
        state: z.enum(['running', 'completed', 'stopped']),
        total: z.number().int(),
        done: z.number().int(),
        startedAt: instant,
        finishedAt: instant.optional(),
      })
      .optional()
      .describe('bringing the user’s existing bookings into this calendar, once it started'),
    removingEvents: z.literal(true).optional().describe('a disconnect is removing our events'),
    eventsNotRemoved: z
      .array(z.object({ bookingId: z.string(), start: instant.nullable(), reason: z.string() }))
      .optional()
      .describe('after a disconnect with `removeEvents=true`: the events it could not remove (empty: all were removed)'),
  })
  .meta({ examples: [connectionExample] });

/** `GET /v1/users/:userId/connections`. */
export const connectionListSchema = z
  .object({ connections: z.array(connectionSchema) })
  .meta({ examples: [{ connections: [connectionExample] }] });

/** `GET …/connections/:connectionId/calendars`: the account's calendars. */
export const connectionCalendarsSchema = z
  .object({
    calendars: z.array(
      z.object({
        id: z.string().describe('`primary` for an OAuth account’s default calendar'),
        name: z.string(),
        primary: z.boolean(),
        writable: z.boolean().describe('whether this service can write events there'),
        timeZone: z.string().optional(),
        selected: z.boolean().describe('events go to this calendar'),
        countsForConflicts: z.boolean(),
      }),
    ),
  })
  .meta({
    examples: [
      {
        calendars: [
          {
            id: 'primary',
            name: 'ada.tutor@example.com',
            primary: true,
            writable: true,
            timeZone: 'Europe/London',
            selected: true,
            countsForConflicts: true,
          },
          {
            id: 'c_8d1f0e2a9b@group.calendar.google.com',
            name: 'Lessons',
            primary: false,
            writable: true,
            selected: false,
            countsForConflicts: false,
          },
        ],
      },
    ],
  });

/** `POST /v1/users/:userId/connect-links`: the link the user's browser opens. */
export const connectLinkSchema = z.object({ url: z.url(), expiresAt: instant }).meta({
  examples: [{ url: 'https://calsync.example.com/v1/connect/2b5f1c7e9a3d4e6f8a0b', expiresAt: '2026-04-01T10:12:29.004Z' }],
});
