import { z } from 'zod';

/** `DELETE /v1/users/:userId`: the erasure, running (202) or finished (200). */
export const userErasureSchema = z
  .object({
    userId: z.string(),
    status: z.enum(['erasing', 'erased']),
    removeEvents: z.boolean(),
    connections: z.number().int().describe('calendar accounts being disconnected (erasing), or that the erasure disconnected (erased)'),
    erased: z
      .record(z.string(), z.number().int())
      .optional()
      .describe('once erased: rows removed per kind (`bookings`: the bookings the user was taken out of)'),
  })
  .meta({
    examples: [
      {
        userId: 'client-42',
        status: 'erased',
        removeEvents: true,
        connections: 1,
        erased: { notifications: 3, syncLog: 18, calendarEvents: 4, connections: 1, feedLinks: 1, bookings: 4 },
      },
      { userId: 'client-42', status: 'erasing', removeEvents: true, connections: 1 },
    ],
  });
