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
import { CONNECTION_ROUTES } from './connections-catalogue';
import { PERSONAL_DATA_ROUTES } from './personal-data-catalogue';
import { invalid, keyed } from './common-responses';
import { SETTINGS_PAGE_ROUTES } from './settings-catalogue';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete' | 'options';
/**
 * How a caller proves who it is: the API key, a webhook signature, the provider's own secret, a
 * signed link, the settings session cookie (from a page of this service's own origin), or nothing.
 */
export type RouteAuth = 'apiKey' | 'webhookSignature' | 'providerSecret' | 'signedLink' | 'settingsSession' | 'none';

/** One route as the API documents it; request schemas are the ones that validate requests. */
export interface RouteDoc {
  method: HttpMethod;
  /** Express style (`:param`). */
  path: string;
  tag: string;
  summary: string;
  auth: RouteAuth;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status → what it means. */
  responses: Record<number, string>;
}

/** Every route the API serves. A test compares this with the routes Express really has. */
export const ROUTES: RouteDoc[] = [
  { method: 'get', path: '/healthz', tag: 'operations', summary: 'Liveness: the process answers', auth: 'none', responses: { 200: 'ok' } },
  {
    method: 'get',
    path: '/readyz',
    tag: 'operations',
    summary: 'Readiness: database and Temporal reachable',
    auth: 'none',
    responses: { 200: 'ready', 503: 'not ready' },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary:
      'Prometheus metrics of this process (with METRICS_KEY set: `Authorization: Bearer <METRICS_KEY>`; not served here in production without it)',
    auth: 'none',
    responses: { 200: 'text exposition format', 401: 'METRICS_KEY is set and was not presented' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'operations',
    summary: 'This document',
    auth: 'none',
    responses: { 200: 'OpenAPI 3.1 document' },
  },
  { method: 'get', path: '/docs', tag: 'operations', summary: 'This document as a page', auth: 'none', responses: { 200: 'HTML' } },

  {
    method: 'post',
    path: '/v1/bookings/:bookingId/confirm',
    tag: 'bookings',
    summary: 'Confirm (or update) a booking',
    auth: 'apiKey',
    body: confirmBodySchema,
    responses: { 202: 'accepted', ...invalid, ...keyed, 409: 'cancelled or finished' },
  },
  {
    method: 'post',
    path: '/v1/bookings/:bookingId/reschedule',
    tag: 'bookings',
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
  },
  {
    method: 'post',
    path: '/v1/bookings/:bookingId/cancel',
    tag: 'bookings',
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
  },
  {
    method: 'get',
    path: '/v1/bookings/:bookingId',
    tag: 'bookings',
    summary: 'A booking and the state of each calendar event (from PostgreSQL once Temporal has removed its workflow)',
    auth: 'apiKey',
    responses: {
      200: 'the booking',
      ...keyed,
      404: 'unknown booking',
      503: '`state_unavailable` right now, or `personal_data_unavailable`: its sealed personal data needs a key ENCRYPTION_KEYS no longer lists',
    },
  },
  {
    method: 'get',
    path: '/v1/bookings/:bookingId/history',
    tag: 'bookings',
    summary:
      "The booking's history, oldest first: every calendar write, retried attempt and failure, the users' own edits of its events, notifications and invitation mails",
    auth: 'apiKey',
    query: bookingHistoryQuerySchema,
    responses: { 200: '`{bookingId, entries, nextCursor}`', ...invalid, ...keyed, 404: 'unknown booking' },
  },
  {
    method: 'get',
    path: '/v1/users/:userId/bookings',
    tag: 'bookings',
    summary: "The user's bookings from PostgreSQL by start time, each as GET /v1/bookings/:bookingId shows it (`to` after `from`)",
    auth: 'apiKey',
    query: userBookingsQuerySchema,
    responses: {
      200: '`{bookings, nextCursor}`',
      ...invalid,
      ...keyed,
      503: '`personal_data_unavailable`: a booking on the page is sealed under a key ENCRYPTION_KEYS no longer lists',
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/bookings',
    tag: 'bookings',
    summary:
      "Booking changes as signed webhook events: `X-Signature` (WEBHOOK_SECRET) or Standard Webhooks headers (WEBHOOK_SECRETS; `webhook-id` must be the body's `id`, which redeliveries are recognised by)",
    auth: 'webhookSignature',
    body: webhookEventSchema,
    responses: {
      200: 'a redelivery, not applied again',
      202: 'accepted',
      ...invalid,
      401: 'bad signature (or a timestamp more than 5 minutes from now)',
      409: 'id reused for another body',
    },
  },

  ...CONNECTION_ROUTES,
  ...PERSONAL_DATA_ROUTES,
  ...SETTINGS_PAGE_ROUTES,

  {
    method: 'get',
    path: '/v1/users/:userId/busy',
    tag: 'availability',
    summary:
      "The user's busy times, merged across the calendars that count for conflicts; per connection, `covers` says whether every one of them was read over the whole range",
    auth: 'apiKey',
    query: busyQuerySchema,
    responses: { 200: '`{busy, calendars}`', ...invalid, ...keyed },
  },
  {
    method: 'post',
    path: '/v1/availability/check',
    tag: 'availability',
    summary: 'Conflicts of a slot for some users',
    auth: 'apiKey',
    body: availabilityCheckBodySchema,
    responses: { 200: '`{available, users}`', ...invalid, ...keyed },
  },
  {
    method: 'get',
    path: '/v1/notifications',
    tag: 'availability',
    summary:
      'Events sent (or being sent) to NOTIFY_URL, newest first, a page at a time (pass `nextCursor` back as `cursor`): `connection.connected`, `connection.needs_reauth`, `connection.error` (once per episode of `error`, `{userId, connectionId, reason, message}`), `connection.bulk_sync_completed` (`{connectionId, userId, provider, counts: {bookings}}`), `booking.sync_failed`, `booking.conflict_detected`, `booking.removed_externally`, `booking.moved_externally`',
    auth: 'apiKey',
    query: notificationsQuerySchema,
    responses: { 200: '`{notifications, nextCursor}`', ...invalid, ...keyed },
  },
  {
    method: 'post',
    path: '/v1/notifications/:id/redeliver',
    tag: 'availability',
    summary:
      'Send a notification again (a failed or delivered one; a pending one is left to its delivery): same `id`/`webhook-id`, newly signed, retried like any delivery. Idempotent: asking while it is pending changes nothing',
    auth: 'apiKey',
    responses: {
      202: 'the notification, `status: pending`',
      404: '`notification_not_found`',
      409: '`notifications_off`: no NOTIFY_URL configured',
      ...keyed,
    },
  },

  {
    method: 'post',
    path: '/v1/webhooks/google',
    tag: 'provider notifications',
    summary: 'Google Calendar watch-channel notifications',
    auth: 'providerSecret',
    responses: { 200: 'taken', 401: 'unknown channel or wrong token' },
  },
  {
    method: 'post',
    path: '/v1/webhooks/microsoft',
    tag: 'provider notifications',
    summary: 'Graph change notifications (and the validation handshake)',
    auth: 'providerSecret',
    responses: { 200: 'validation token echoed', 202: 'taken', 401: 'wrong clientState' },
  },
  {
    method: 'post',
    path: '/v1/webhooks/microsoft/lifecycle',
    tag: 'provider notifications',
    summary: 'Graph lifecycle notifications',
    auth: 'providerSecret',
    responses: { 200: 'validation token echoed', 202: 'taken', 401: 'wrong clientState' },
  },

  {
    method: 'post',
    path: '/codec/encode',
    tag: 'operations',
    summary: 'Temporal codec server: encrypt payloads (bearer: one of CODEC_API_KEYS, not API_KEYS)',
    auth: 'apiKey',
    body: codecPayloadsSchema,
    responses: { 200: '`{payloads}`', ...invalid, ...keyed },
  },
  {
    method: 'post',
    path: '/codec/decode',
    tag: 'operations',
    summary: 'Temporal codec server: decrypt payloads for the Web UI (bearer: one of CODEC_API_KEYS, not API_KEYS)',
    auth: 'apiKey',
    body: codecPayloadsSchema,
    responses: {
      200: '`{payloads}`',
      400: 'invalid request, or `payload_key_unavailable`: a payload sealed under a key no longer in ENCRYPTION_KEYS (the message names its id)',
      ...keyed,
    },
  },
  {
    method: 'options',
    path: '/codec/encode',
    tag: 'operations',
    summary: 'CORS preflight for the Web UI',
    auth: 'none',
    responses: { 204: 'allowed origins' },
  },
  {
    method: 'options',
    path: '/codec/decode',
    tag: 'operations',
    summary: 'CORS preflight for the Web UI',
    auth: 'none',
    responses: { 204: 'allowed origins' },
  },
];
