import { z } from 'zod';

// Errors as RFC 9457 problem details. `code` (the stable machine-readable value clients switch
// on) and `errors` (field errors) are extension members; `error` repeats the pre-RFC 9457 body
// for one release so existing clients keep working.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Where a problem type's URI points: this service's own page about the code (src/api/routes/openapi.ts). */
export const PROBLEM_TYPE_PATH = '/problems';

/** One field the request got wrong: `body.start`, `query.limit`, `path.bookingId`. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Every code an API error can have, with its short, fixed title (RFC 9457: the title does not
 * change from occurrence to occurrence). `ApiError` takes only these codes, so each error's type
 * URI has a page.
 */
export const PROBLEM_TITLES = {
  invalid_request: 'Invalid request',
  invalid_json: 'Request body is not valid JSON',
  invalid_utf8: 'Request body is not valid UTF-8',
  invalid_cursor: 'Invalid cursor',
  unsupported_media_type: 'Unsupported media type',
  payload_too_large: 'Request body too large',
  unauthorized: 'Unauthorized',
  invalid_signature: 'Invalid webhook signature',
  invalid_channel: 'Unknown channel or wrong channel token',
  not_found: 'No such route',
  booking_not_found: 'Booking not found',
  booking_cancelled: 'Booking cancelled',
  booking_closed: 'Booking closed',
  connection_not_found: 'Connection not found',
  calendar_not_found: 'Calendar not found',
  calendar_not_writable: 'Calendar not writable',
  busy_calendar_not_found: 'Busy calendar not found',
  reminders_not_supported: 'Reminders not supported',
  connection_disconnected: 'Connection disconnected',
  connection_needs_reauth: 'Connection needs reauthorisation',
  connection_error: 'Connection in error',
  connection_limit_reached: 'Connection limit reached',
  already_connected: 'Already connected',
  not_reconnectable: 'Not reconnectable',
  invalid_credentials: 'Invalid credentials',
  caldav_not_supported: 'CalDAV not supported',
  caldav_unreachable: 'CalDAV server unreachable',
  no_calendar: 'No calendar',
  provider_not_configured: 'Provider not configured',
  provider_unavailable: 'Provider unavailable',
  webhook_id_reused: 'Webhook id reused',
  webhook_id_mismatch: 'Webhook id differs from the event id',
  notification_not_found: 'Notification not found',
  notifications_off: 'Notifications are off',
  too_many_connect_attempts: 'Too many connect attempts',
  rate_limited: 'Too many requests',
  payload_key_unavailable: 'Payload key unavailable',
  codec_failed: 'Payloads could not be processed',
  state_unavailable: 'Booking state unavailable',
  personal_data_unavailable: 'Personal data unavailable',
  temporal_unavailable: 'Workflow engine unavailable',
  database_unavailable: 'Database unavailable',
  internal: 'Internal error',
} as const satisfies Record<string, string>;

export type ProblemCode = keyof typeof PROBLEM_TITLES;

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_TITLES, code);
}

/** The type URI of a code: stable per code, under the service's PUBLIC_BASE_URL, served as a page for the codes with a title. */
export function problemType(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl}${PROBLEM_TYPE_PATH}/${encodeURIComponent(code)}`;
}

const fieldErrorSchema = z.object({
  path: z.string().meta({ description: 'where: `body.…`, `query.…` or `path.…`' }),
  message: z.string(),
});

/** The error body every API error has; the OpenAPI document's `Problem` component is made from it. */
export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: 'URI of the problem type, one per `code` (`<PUBLIC_BASE_URL>/problems/<code>`)' }),
    title: z.string().meta({ description: 'short, fixed per `code`' }),
    status: z.int().min(400).max(599).meta({ description: 'the HTTP status of this response' }),
    detail: z.string().meta({ description: 'what went wrong this time, for a human' }),
    instance: z.string().optional().meta({ description: "this request's id (as in `X-Request-Id`)" }),
    code: z.string().meta({ description: 'stable machine-readable code (`invalid_request`, `booking_not_found`, …)' }),
    errors: z.array(fieldErrorSchema).optional().meta({ description: 'field errors of an invalid request' }),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        details: z.array(fieldErrorSchema).optional(),
      })
      .optional()
      .meta({ deprecated: true, description: 'deprecated: the pre-RFC 9457 body (`code`, `detail`, `errors`), kept for one release' }),
  })
  .meta({ description: "RFC 9457 problem details (`application/problem+json`) with this service's extension members" });

export type ProblemBody = z.infer<typeof problemSchema>;
