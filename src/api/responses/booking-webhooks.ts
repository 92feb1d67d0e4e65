import { z } from 'zod';

// What `POST /v1/webhooks/bookings` answers (src/api/routes/webhooks.ts).

/** 202: the event was applied (handed to the booking's workflow). */
export const webhookAcceptedSchema = z
  .object({ id: z.string(), accepted: z.enum(['booking.confirmed', 'booking.rescheduled', 'booking.cancelled']) })
  .meta({ examples: [{ id: 'evt_01HV3K9Q2X7M4N8P', accepted: 'booking.confirmed' }] });

/** 200: the event id was seen before with this body: acknowledged, not applied again. */
export const webhookDuplicateSchema = z
  .object({ id: z.string(), duplicate: z.literal(true) })
  .meta({ examples: [{ id: 'evt_01HV3K9Q2X7M4N8P', duplicate: true }] });
