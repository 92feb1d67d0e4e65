import type { CalendarAccountError } from '../application/calendar-accounts';
import { ApiError } from './errors';

/** A refused calendar-account operation as the documented HTTP error (the API calls accounts "connections"). */
export function calendarAccountApiError(error: CalendarAccountError): ApiError {
  switch (error.code) {
    case 'account_not_found':
      return new ApiError(404, 'connection_not_found', `user ${error.userId} has no connection ${error.accountId}`);
    case 'account_disconnected':
      return new ApiError(409, 'connection_disconnected', 'the connection is disconnected');
    case 'account_needs_reauth':
      return new ApiError(409, 'connection_needs_reauth', 'the user must reconnect this calendar first');
    case 'account_error':
      return new ApiError(409, 'connection_error', error.message);
    case 'provider_unavailable':
      // The detail (a remote status or answer) is in the log only.
      return new ApiError(502, 'provider_unavailable', 'the calendar provider could not list calendars; try again later');
    case 'calendar_not_found':
      return new ApiError(404, 'calendar_not_found', 'the account has no calendar with that id');
    case 'calendar_not_writable':
      return new ApiError(400, 'calendar_not_writable', `the account cannot add events to "${error.calendarName}"`);
    case 'busy_calendar_not_found':
      return new ApiError(
        400,
        error.code,
        `busyCalendarIds[${error.index}] is not one of the calendars this account can read (GET …/calendars lists them)`,
      );
    case 'reminders_not_supported':
      return new ApiError(400, error.code, error.message);
    case 'caldav_unreachable':
      return new ApiError(502, error.code, error.message);
    case 'connection_limit_reached':
    case 'already_connected':
      return new ApiError(409, error.code, error.message);
    case 'not_reconnectable':
      // OAuth accounts reconnect through a connect link: the same account is matched there.
      return new ApiError(409, error.code, 'this connection is reconnected through a connect link (POST /v1/users/:userId/connect-links)');
    case 'too_many_connect_attempts':
      return new ApiError(429, error.code, error.message, undefined, error.retryAfterSeconds);
    case 'invalid_credentials':
    case 'caldav_not_supported':
    case 'no_calendar':
      return new ApiError(400, error.code, error.message);
  }
}
