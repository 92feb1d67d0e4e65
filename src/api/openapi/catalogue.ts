import type { z } from 'zod';
import {
  availabilityCheckBodySchema,
  busyQuerySchema,
  cancelBodySchema,
  codecPayloadsSchema,
  confirmBodySchema,
  bookingHistoryQuerySchema,
  notificationsQuerySchema,
  rescheduleBodySchema,
  userBookingsQuerySchema,
  webhookEventSchema,
} from '../schemas';
import { availabilityCheckSchema, userBusySchema } from '../responses/availability';
import { webhookAcceptedSchema, webhookDuplicateSchema } from '../responses/booking-webhooks';
import {
  bookingHistoryPageSchema,
  bookingViewSchema,
  cancelAcceptedSchema,
  confirmAcceptedSchema,
  rescheduleAcceptedSchema,
  userBookingsPageSchema,
} from '../responses/bookings';
import { notificationPageSchema, redeliveredNotificationSchema } from '../responses/notifications';
import { codecPayloadsAnswerSchema, livenessSchema, notReadySchema, openApiDocumentSchema, readySchema } from '../responses/operations';
import { CONNECTION_ROUTES } from './connections-catalogue';
import { PERSONAL_DATA_ROUTES } from './personal-data-catalogue';
import { badParams, invalid, keyed } from './common-responses';
import { SETTINGS_PAGE_ROUTES } from './settings-catalogue';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete' | 'options';
/**
 * How a caller proves who it is: the API key, a webhook signature, the provider's own secret, a
 * signed link, the settings session cookie (from a page of this service's own origin), or nothing.
 */
export type RouteAuth = 'apiKey' | 'webhookSignature' | 'providerSecret' | 'signedLink' | 'settingsSession' | 'none';

/**
 * What one status answers with: JSON described by a schema (its output side, examples from its
 * `.meta({examples})` or `example`), text of a media type, a redirect (the `Location` header), or no body.
 */
export type ResponseBody =
  | { json: z.ZodType; example?: unknown }
  | { text: 'text/html' | 'text/plain' | 'text/calendar'; headers?: Record<string, string> }
  | { redirect: string }
  | { empty: true };

/** One route as the API documents it; request schemas are the ones that validate requests. */
export interface RouteDoc {
  method: HttpMethod;
  /** Express style (`:param`). */
  path: string;
  tag: ApiTag;
  /** Readable and stable (`confirmBooking`): generated clients name their methods after it. */
  operationId: string;
  summary: string;
  auth: RouteAuth;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status → what it means. */
  responses: Record<number, string>;
  /** Status → its body (every 2xx and 3xx has one; 4xx/5xx ones are problems or `errorMedia` text unless given here). */
  bodies: Partial<Record<number, ResponseBody>>;
  /**
   * The media type of this route's documented 4xx/5xx answers when they are not problem details
   * (pages answer with pages, the feed with text); the error handler's own answers (429, 500, …) stay problems.
   */
  errorMedia?: 'text/html' | 'text/plain' | 'application/json';
}

/** The tags routes are grouped by, in the order the document lists them. */
export const API_TAGS = {
  Bookings: 'Confirm, move, cancel and read bookings',
  Connections: "Users' calendar accounts: connect, list, change, reconnect, disconnect",
  Availability: 'Busy times and conflicts',
  Notifications: 'Events sent to NOTIFY_URL',
  Feeds: 'Secret iCalendar feed links',
  Settings: "The user's settings page and the links to it",
  Webhooks: "Incoming booking webhooks and the providers' change notifications",
  'Personal data': 'Erasing a user',
  Operations: 'Health, metrics, this document and the Temporal codec server',
} as const;
export type ApiTag = keyof typeof API_TAGS;

/** Every route the API serves. A test compares this with the routes Express really has. */
export const ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    operationId: 'checkLiveness',
    summary: 'Liveness: the process answers',
    auth: 'none',
    responses: { 200: 'ok' },
    bodies: { 200: { json: livenessSchema } },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    operationId: 'checkReadiness',
    summary: 'Readiness: database and Temporal reachable',
    auth: 'none',
    errorMedia: 'application/json',
    responses: { 200: 'ready', 503: 'not ready' },
    bodies: { 200: { json: readySchema }, 503: { json: notReadySchema } },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    operationId: 'getMetrics',
    summary:
      'Prometheus metrics of this process (with METRICS_KEY set: `Authorization: Bearer <METRICS_KEY>`; not served here in production without it)',
    auth: 'none',
    responses: { 200: 'text exposition format', 401: 'METRICS_KEY is set and was not presented' },
    bodies: { 200: { text: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Operations',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    auth: 'none',
    responses: { 200: 'OpenAPI 3.1 document' },
    bodies: { 200: { json: openApiDocumentSchema } },
  },
  {
    method: 'get',
    path: '/problems/:code',
    tag: 'Operations',
    operationId: 'getProblemType',
    summary: "What an error's `type` URI points to: the problem type of a `code`, as a page",
    auth: 'none',
    responses: { 200: 'HTML', 404: '`not_found`: not a code of this API' },
    bodies: { 200: { text: 'text/html' } },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'Operations',
    operationId: 'getApiDocsPage',
    summary: 'This document as a page',
    auth: 'none',
    responses: { 200: 'HTML' },
    bodies: { 200: { text: 'text/html' } },
  },

  {
    method: 'post',
    path: '/v1/bookings/:bookingId/confirm',
    tag: 'Bookings',
    operationId: 'confirmBooking',
    summary: 'Confirm (or update) a booking',
    auth: 'apiKey',
    body: confirmBodySchema,
    responses: { 202: 'accepted', ...invalid, ...keyed, 409: 'cancelled or finished' },
    bodies: { 202: { json: confirmAcceptedSchema } },
  },
  {
    method: 'post',
    path: '/v1/bookings/:bookingId/reschedule',
    tag: 'Bookings',
    operationId: 'rescheduleBooking',
    summary: 'Move a booking',
    auth: 'apiKey',
    body: rescheduleBodySchema,
    responses: {
      202: 'accepted (a booking whose workflow Temporal has removed is resumed from PostgreSQL)',
      ...invalid,
      ...keyed,
      404: 'unknown booking',
      409: 'cancelled, or ended more than a day ago',
    },
    bodies: { 202: { json: rescheduleAcceptedSchema } },
  },
  {
    method: 'post',
    path: '/v1/bookings/:bookingId/cancel',
    tag: 'Bookings',
    operationId: 'cancelBooking',
    summary: 'Cancel a booking (idempotent)',
    auth: 'apiKey',
    body: cancelBodySchema,
    responses: {
      202: 'accepted (a booking whose workflow Temporal has removed is resumed from PostgreSQL and its events removed)',
      ...invalid,
      ...keyed,
      404: 'unknown booking',
      409: '`booking_closed`: it ended more than a day ago and was not cancelled',
    },
    bodies: { 202: { json: cancelAcceptedSchema } },
  },
  {
    method: 'get',
    path: '/v1/bookings/:bookingId',
    tag: 'Bookings',
    operationId: 'getBooking',
    summary: 'A booking and the state of each calendar event (from PostgreSQL once Temporal has removed its workflow)',
    auth: 'apiKey',
    responses: {
      200: 'the booking',
      ...badParams,
      ...keyed,
      404: 'unknown booking',
      503: '`state_unavailable` right now, or `personal_data_unavailable`: its sealed personal data needs a key ENCRYPTION_KEYS no longer lists',
    },
    bodies: { 200: { json: bookingViewSchema } },
  },
  {
    method: 'get',
    path: '/v1/bookings/:bookingId/history',
    tag: 'Bookings',
    operationId: 'getBookingHistory',
    summary:
      "The booking's history, oldest first: every calendar write, retried attempt and failure, the users' own edits of its events, notifications and invitation mails",
    auth: 'apiKey',
    query: bookingHistoryQuerySchema,
    responses: { 200: '`{bookingId, entries, nextCursor}`', ...invalid, ...keyed, 404: 'unknown booking' },
    bodies: { 200: { json: bookingHistoryPageSchema } },
  },
  {
    method: 'get',
    path: '/v1/users/:userId/bookings',
    tag: 'Bookings',
    operationId: 'listUserBookings',
    summary: "The user's bookings from PostgreSQL by start time, each as GET /v1/bookings/:bookingId shows it (`to` after `from`)",
    auth: 'apiKey',
    query: userBookingsQuerySchema,
    responses: {
      200: '`{bookings, nextCursor}`',
      ...invalid,
      ...keyed,
      503: '`personal_data_unavailable`: a booking on the page is sealed under a key ENCRYPTION_KEYS no longer lists',
    },
    bodies: { 200: { json: userBookingsPageSchema } },
  },
  {
    method: 'post',
    path: '/v1/webhooks/bookings',
    tag: 'Webhooks',
    operationId: 'receiveBookingWebhook',
    summary:
      "Booking changes as signed webhook events: `X-Signature` (WEBHOOK_SECRET) or Standard Webhooks headers (WEBHOOK_SECRETS; `webhook-id` must be the body's `id`, which redeliveries are recognised by)",
    auth: 'webhookSignature',
    body: webhookEventSchema,
    responses: {
      200: 'a redelivery, not applied again',
      202: 'accepted',
      ...invalid,
      401: 'bad signature (or a timestamp more than 5 minutes from now)',
      404: '`booking_not_found`: a change to a booking not confirmed yet (the sender retries)',
      409: 'id reused for another body',
    },
    bodies: { 200: { json: webhookDuplicateSchema }, 202: { json: webhookAcceptedSchema } },
  },

  ...CONNECTION_ROUTES,
  ...PERSONAL_DATA_ROUTES,
  ...SETTINGS_PAGE_ROUTES,

  {
    method: 'get',
    path: '/v1/users/:userId/busy',
    tag: 'Availability',
    operationId: 'getUserBusyTimes',
    summary:
      "The user's busy times, merged across the calendars that count for conflicts; per connection, `covers` says whether every one of them was read over the whole range",
    auth: 'apiKey',
    query: busyQuerySchema,
    responses: { 200: '`{busy, calendars}`', ...invalid, ...keyed },
    bodies: { 200: { json: userBusySchema } },
  },
  {
    method: 'post',
    path: '/v1/availability/check',
    tag: 'Availability',
    operationId: 'checkAvailability',
    summary: 'Conflicts of a slot for some users',
    auth: 'apiKey',
    body: availabilityCheckBodySchema,
    responses: { 200: '`{available, users}`', ...invalid, ...keyed },
    bodies: { 200: { json: availabilityCheckSchema } },
  },
  {
    method: 'get',
    path: '/v1/notifications',
    tag: 'Notifications',
    operationId: 'listNotifications',
    summary:
      'Events sent (or being sent) to NOTIFY_URL, newest first, a page at a time (pass `nextCursor` back as `cursor`): `connection.connected`, `connection.needs_reauth`, `connection.error` (once per episode of `error`, `{userId, connectionId, reason, message}`), `connection.bulk_sync_completed` (`{connectionId, userId, provider, counts: {bookings}}`), `booking.sync_failed`, `booking.conflict_detected`, `booking.removed_externally`, `booking.moved_externally`',
    auth: 'apiKey',
    query: notificationsQuerySchema,
    responses: { 200: '`{notifications, nextCursor}`', ...invalid, ...keyed },
    bodies: { 200: { json: notificationPageSchema } },
  },
  {
    method: 'post',
    path: '/v1/notifications/:id/redeliver',
    tag: 'Notifications',
    operationId: 'redeliverNotification',
    summary:
      'Send a notification again (a failed or delivered one; a pending one is left to its delivery): same `id`/`webhook-id`, newly signed, retried like any delivery. Idempotent: asking while it is pending changes nothing',
    auth: 'apiKey',
    responses: {
      202: 'the notification, `status: pending`',
      404: '`notification_not_found`',
      409: '`notifications_off`: no NOTIFY_URL configured',
      ...keyed,
    },
    bodies: { 202: { json: redeliveredNotificationSchema } },
  },

  {
    method: 'post',
    path: '/v1/webhooks/google',
    tag: 'Webhooks',
    operationId: 'receiveGoogleNotification',
    summary: 'Google Calendar watch-channel notifications',
    auth: 'providerSecret',
    responses: { 200: 'taken', 401: 'unknown channel or wrong token' },
    bodies: { 200: { empty: true } },
  },
  {
    method: 'post',
    path: '/v1/webhooks/microsoft',
    tag: 'Webhooks',
    operationId: 'receiveMicrosoftNotification',
    summary: 'Graph change notifications (and the validation handshake)',
    auth: 'providerSecret',
    responses: { 200: 'validation token echoed', 202: 'taken', 401: 'wrong clientState' },
    bodies: { 200: { text: 'text/plain' }, 202: { empty: true } },
  },
  {
    method: 'post',
    path: '/v1/webhooks/microsoft/lifecycle',
    tag: 'Webhooks',
    operationId: 'receiveMicrosoftLifecycleNotification',
    summary: 'Graph lifecycle notifications',
    auth: 'providerSecret',
    responses: { 200: 'validation token echoed', 202: 'taken', 401: 'wrong clientState' },
    bodies: { 200: { text: 'text/plain' }, 202: { empty: true } },
  },

  {
    method: 'post',
    path: '/codec/encode',
    tag: 'Operations',
    operationId: 'encodePayloads',
    summary: 'Temporal codec server: encrypt payloads (bearer: one of CODEC_API_KEYS, not API_KEYS)',
    auth: 'apiKey',
    body: codecPayloadsSchema,
    responses: { 200: '`{payloads}`', ...invalid, ...keyed },
    bodies: { 200: { json: codecPayloadsAnswerSchema } },
  },
  {
    method: 'post',
    path: '/codec/decode',
    tag: 'Operations',
    operationId: 'decodePayloads',
    summary: 'Temporal codec server: decrypt payloads for the Web UI (bearer: one of CODEC_API_KEYS, not API_KEYS)',
    auth: 'apiKey',
    body: codecPayloadsSchema,
    responses: {
      200: '`{payloads}`',
      400: 'invalid request, or `payload_key_unavailable`: a payload sealed under a key no longer in ENCRYPTION_KEYS (the message names its id)',
      ...keyed,
    },
    bodies: { 200: { json: codecPayloadsAnswerSchema } },
  },
  {
    method: 'options',
    path: '/codec/encode',
    tag: 'Operations',
    operationId: 'preflightEncodePayloads',
    summary: 'CORS preflight for the Web UI',
    auth: 'none',
    responses: { 204: 'allowed origins' },
    bodies: { 204: { empty: true } },
  },
  {
    method: 'options',
    path: '/codec/decode',
    tag: 'Operations',
    operationId: 'preflightDecodePayloads',
    summary: 'CORS preflight for the Web UI',
    auth: 'none',
    responses: { 204: 'allowed origins' },
    bodies: { 204: { empty: true } },
  },
];
