import type { BookingError } from '../application/bookings';
import { ApiError } from './errors';

/** A refused booking change or read as the documented HTTP error. */
export function bookingApiError(bookingId: string, error: BookingError): ApiError {
  switch (error) {
    case 'booking_not_found':
      return new ApiError(404, error, `booking ${bookingId} is unknown`);
    case 'booking_cancelled':
      return new ApiError(409, error, `booking ${bookingId} is cancelled`);
    case 'booking_closed':
      return new ApiError(409, error, `booking ${bookingId} has ended and no longer accepts changes`);
    case 'state_unavailable':
      return new ApiError(503, error, 'the booking is known but its state cannot be read right now; retry shortly');
  }
}
