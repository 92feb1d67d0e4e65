import { Router } from 'express';
import type { Bookings } from '../../application/bookings';
import { bookingApiError } from '../booking-errors';
import { cancelBodySchema, confirmBodySchema, idSchema, rescheduleBodySchema } from '../schemas';
import { parseBody, parseParam } from '../validate';

const bookingIdSchema = idSchema('bookingId');

/** Booking-system routes: each change is validated, then handed to the booking's workflow. */
export function bookingRoutes(bookings: Bookings): Router {
  const router = Router();

  router.post('/v1/bookings/:bookingId/confirm', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const { version, ...booking } = parseBody(req, confirmBodySchema);
    const result = await bookings.confirm(bookingId, { version, booking });
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    res.status(202).json({ bookingId, accepted: 'confirm' });
  });

  router.post('/v1/bookings/:bookingId/reschedule', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await bookings.reschedule(bookingId, parseBody(req, rescheduleBodySchema));
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    res.status(202).json({ bookingId, accepted: 'reschedule' });
  });

  router.post('/v1/bookings/:bookingId/cancel', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await bookings.cancel(bookingId, parseBody(req, cancelBodySchema));
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    res.status(202).json({ bookingId, accepted: 'cancel' });
  });

  router.get('/v1/bookings/:bookingId', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await bookings.view(bookingId);
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    res.json(result.value);
  });

  return router;
}
