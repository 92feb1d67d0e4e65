import { Router } from 'express';
import type { BookingStore } from '../../db/bookings';
import type { ExternalEditStore } from '../../db/external-edits';
import type { BookingCommands } from '../booking-commands';
import { ApiError } from '../errors';
import { cancelBodySchema, confirmBodySchema, idSchema, rescheduleBodySchema } from '../schemas';
import { parseBody, parseParam } from '../validate';

const bookingIdSchema = idSchema('bookingId');

/** Booking-system routes: each change is validated, then handed to the booking's workflow. */
export function bookingRoutes(commands: BookingCommands, bookings: BookingStore, externalEdits: ExternalEditStore): Router {
  const router = Router();

  router.post('/v1/bookings/:bookingId/confirm', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const { version, ...booking } = parseBody(req, confirmBodySchema);
    await commands.confirm(bookingId, { version, booking });
    res.status(202).json({ bookingId, accepted: 'confirm' });
  });

  router.post('/v1/bookings/:bookingId/reschedule', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const body = parseBody(req, rescheduleBodySchema);
    await commands.reschedule(bookingId, body);
    res.status(202).json({ bookingId, accepted: 'reschedule' });
  });

  router.post('/v1/bookings/:bookingId/cancel', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const body = parseBody(req, cancelBodySchema);
    await commands.cancel(bookingId, body);
    res.status(202).json({ bookingId, accepted: 'cancel' });
  });

  router.get('/v1/bookings/:bookingId', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await commands.view(bookingId);
    if (!result.found) throw new ApiError(404, 'booking_not_found', `booking ${bookingId} is unknown`);
    const view = result.view ?? (await bookings.loadView(bookingId));
    if (!view) throw new ApiError(503, 'state_unavailable', 'the booking is known but its state cannot be read right now; retry shortly');
    // The workflow knows what it wrote; only reads of the calendar know what the user did since.
    const external = await externalEdits.statesOf(bookingId);
    const calendars = view.calendars.map((c) => {
      const seen = c.connectionId && c.state === 'synced' ? external.get(c.connectionId) : undefined;
      return seen ? { ...c, state: seen.state, externallyChangedAt: seen.changedAt } : c;
    });
    res.json({ ...view, calendars });
  });

  return router;
}
