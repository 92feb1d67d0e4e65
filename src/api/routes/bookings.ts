import { Router } from 'express';
import type { ArchiveError, BookingArchive } from '../../application/booking-archive';
import type { Bookings } from '../../application/bookings';
import { bookingApiError } from '../booking-errors';
import { ApiError, validationError } from '../errors';
import {
  bookingHistoryQuerySchema,
  cancelBodySchema,
  confirmBodySchema,
  idSchema,
  rescheduleBodySchema,
  userBookingsQuerySchema,
} from '../schemas';
import {
  bookingHistoryPageSchema,
  bookingViewSchema,
  cancelAcceptedSchema,
  confirmAcceptedSchema,
  rescheduleAcceptedSchema,
  userBookingsPageSchema,
} from '../responses/bookings';
import { sendJson } from '../send-json';
import { parseBody, parseParam } from '../validate';

const bookingIdSchema = idSchema('bookingId');
const userIdSchema = idSchema('userId');

function archiveApiError(bookingId: string, error: ArchiveError): ApiError {
  if (error === 'booking_not_found') return bookingApiError(bookingId, error);
  return new ApiError(
    400,
    error,
    'query.cursor: not a cursor of this list; pass a nextCursor this list returned, or none for the first page',
  );
}

/** Booking-system routes: each change is validated, then handed to the booking's workflow; reads of the record come from PostgreSQL. */
export function bookingRoutes(bookings: Bookings, archive: BookingArchive): Router {
  const router = Router();

  router.post('/v1/bookings/:bookingId/confirm', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const { version, ...booking } = parseBody(req, confirmBodySchema);
    const result = await bookings.confirm(bookingId, { version, booking });
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    sendJson(res, 202, confirmAcceptedSchema, { bookingId, accepted: 'confirm' });
  });

  router.post('/v1/bookings/:bookingId/reschedule', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await bookings.reschedule(bookingId, parseBody(req, rescheduleBodySchema));
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    sendJson(res, 202, rescheduleAcceptedSchema, { bookingId, accepted: 'reschedule' });
  });

  router.post('/v1/bookings/:bookingId/cancel', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await bookings.cancel(bookingId, parseBody(req, cancelBodySchema));
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    sendJson(res, 202, cancelAcceptedSchema, { bookingId, accepted: 'cancel' });
  });

  router.get('/v1/bookings/:bookingId', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const result = await bookings.view(bookingId);
    if (!result.ok) throw bookingApiError(bookingId, result.error);
    sendJson(res, 200, bookingViewSchema, result.value);
  });

  router.get('/v1/bookings/:bookingId/history', async (req, res) => {
    const bookingId = parseParam(req.params.bookingId, bookingIdSchema);
    const query = bookingHistoryQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const result = await archive.history(bookingId, query.data);
    if (!result.ok) throw archiveApiError(bookingId, result.error);
    sendJson(res, 200, bookingHistoryPageSchema, { bookingId, ...result.value });
  });

  router.get('/v1/users/:userId/bookings', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const query = userBookingsQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const result = await archive.userBookings(userId, query.data);
    if (!result.ok) throw archiveApiError(userId, result.error);
    sendJson(res, 200, userBookingsPageSchema, result.value);
  });

  return router;
}
