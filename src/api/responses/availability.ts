import { z } from 'zod';
import { instant } from './instants';

// What the busy-time routes answer (src/api/routes/availability.ts).

const CONNECTION_ID = '6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d';
const span = z.object({ start: instant, end: instant });

/** Per connection: how fresh its counted calendars' busy times are and whether they cover the asked range. */
const freshnessSchema = z.object({
  connectionId: z.string(),
  provider: z.string(),
  syncedAt: instant.nullable().describe('the oldest of its calendars’ last reads; null while one was never read'),
  covers: z.boolean().describe('every counted calendar was read over the whole range'),
  lastError: z.string().nullable(),
});
const freshnessExample = {
  connectionId: CONNECTION_ID,
  provider: 'google',
  syncedAt: '2026-04-01T09:15:02.551Z',
  covers: true,
  lastError: null,
};

/** `GET /v1/users/:userId/busy`. */
export const userBusySchema = z
  .object({ userId: z.string(), from: instant, to: instant, busy: z.array(span), calendars: z.array(freshnessSchema) })
  .meta({
    examples: [
      {
        userId: 'tutor-17',
        from: '2026-04-12T00:00:00.000Z',
        to: '2026-04-13T00:00:00.000Z',
        busy: [{ start: '2026-04-12T09:00:00.000Z', end: '2026-04-12T10:30:00.000Z' }],
        calendars: [freshnessExample],
      },
    ],
  });

/** `POST /v1/availability/check`. */
export const availabilityCheckSchema = z
  .object({
    start: instant,
    end: instant,
    available: z.boolean().describe('no user has a conflict (see each `known`)'),
    users: z.array(
      z.object({
        userId: z.string(),
        conflicts: z.array(span),
        known: z.boolean().describe('a calendar covers the slot: without one, "no conflict" would be a guess'),
        calendars: z.array(freshnessSchema),
      }),
    ),
  })
  .meta({
    examples: [
      {
        start: '2026-04-12T15:00:00.000Z',
        end: '2026-04-12T16:00:00.000Z',
        available: false,
        users: [
          {
            userId: 'tutor-17',
            conflicts: [{ start: '2026-04-12T15:30:00.000Z', end: '2026-04-12T16:30:00.000Z' }],
            known: true,
            calendars: [freshnessExample],
          },
          { userId: 'client-42', conflicts: [], known: false, calendars: [] },
        ],
      },
    ],
  });
