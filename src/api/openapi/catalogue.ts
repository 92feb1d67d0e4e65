import type { z } from 'zod';
import {
  availabilityCheckBodySchema,
  busyQuerySchema,
  caldavAccountBodySchema,
  caldavReconnectBodySchema,
  cancelBodySchema,
  codecPayloadsSchema,
  confirmBodySchema,
  connectLinkBodySchema,
  bookingHistoryQuerySchema,
  notificationsQuerySchema,
  patchAccountBodySchema,
  rescheduleBodySchema,
  userBookingsQuerySchema,
  webhookEventSchema,
} from '../schemas';
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

const invalid = { 400: 'invalid request: `{error: {code, message, details}}`' };
const keyed = { 401: 'missing or wrong API key', 429: 'rate limited (`Retry-After`)' };

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
    responses: { 200: 'the booking', ...keyed, 404: 'unknown booking', 503: 'state unavailable right now' },
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
    responses: { 200: '`{bookings, nextCursor}`', ...invalid, ...keyed },
  },
  {
    method: 'post',
    path: '/v1/webhooks/bookings',
    tag: 'bookings',
    summary: 'Booking changes as signed webhook events',
    auth: 'webhookSignature',
    body: webhookEventSchema,
    responses: {
      200: 'a redelivery, not applied again',
      202: 'accepted',
      ...invalid,
      401: 'bad signature',
      409: 'id reused for another body',
    },
  },

  {
    method: 'post',
    path: '/v1/users/:userId/connect-links',
    tag: 'connections',
    summary: 'A single-use link to connect Google or Microsoft',
    auth: 'apiKey',
    body: connectLinkBodySchema,
    responses: {
      201: '`{url, expiresAt}`',
      ...invalid,
      ...keyed,
      429: 'rate limited, or `too_many_connect_attempts`: the user made CONNECT_ATTEMPTS_PER_HOUR attempts in the last hour (`Retry-After`)',
    },
  },
  {
    method: 'get',
    path: '/v1/connect/:flowId',
    tag: 'connections',
    summary: "Starts the OAuth flow (the user's browser)",
    auth: 'signedLink',
    responses: {
      302: 'to the provider (the browser binding cookie set)',
      400: 'unknown, used or expired link, or a flow started in another browser (a page)',
    },
  },
  {
    method: 'get',
    path: '/v1/oauth/:provider/callback',
    tag: 'connections',
    summary: 'OAuth redirect back from the provider (completes only in the browser the flow is bound to)',
    auth: 'signedLink',
    responses: {
      200: 'result page (or a page moving on to the settings page)',
      302: 'to returnUrl with status',
      400: 'invalid state, or a browser the flow is not bound to (a page; nothing connected)',
    },
  },
  {
    method: 'post',
    path: '/v1/users/:userId/connections',
    tag: 'connections',
    summary: 'Connect a CalDAV or iCloud account (verified first)',
    auth: 'apiKey',
    body: caldavAccountBodySchema,
    responses: {
      200: 'the account was connected already: updated',
      201: 'the connection',
      ...invalid,
      ...keyed,
      409: '`connection_limit_reached`: the user has MAX_CONNECTIONS_PER_USER connections and this is not one of them',
      429: 'rate limited, or `too_many_connect_attempts` (`Retry-After`)',
      502: 'server unreachable',
    },
  },
  {
    method: 'get',
    path: '/v1/users/:userId/connections',
    tag: 'connections',
    summary:
      "The user's calendars: `{connections: [{id, provider, accountEmail, serverUrl? (CalDAV, iCloud), status, syncEnabled, calendarId, reminders, lastSyncedAt, lastError, bulkSync?, removingEvents?, eventsNotRemoved?}]}`; `eventsNotRemoved` (`[{bookingId, start, reason}]`) on a calendar disconnected with `removeEvents=true`: the events it could not remove. `status`: `active`, `needs_reauth` (the user must reconnect), `error` (a permanent failure: the calendar is gone or no longer writable, the provider refuses the account, or its stored secrets cannot be read; `lastError` says what to do and `errorReason` why: `calendar_not_found`, `calendar_forbidden`, `account_disabled`, `secret_unavailable`; the account heals by itself when the cause goes), `disconnected`",
    auth: 'apiKey',
    responses: { 200: '`{connections}`', ...keyed },
  },
  {
    method: 'patch',
    path: '/v1/users/:userId/connections/:connectionId',
    tag: 'connections',
    summary:
      "Turn sync on or off, choose the calendar, set the connection's reminders (null: EVENT_REMINDERS), or choose the calendars whose busy times count for conflicts (`busyCalendarIds`, any the account can read; null: the primary calendar and the one events go to); new reminders rewrite the events of bookings that have not ended. Another calendar ends an `error` about the old one (gone, not writable): the connection is `active` again and every booking whose write failed is written there",
    auth: 'apiKey',
    body: patchAccountBodySchema,
    responses: {
      200: 'the connection',
      400: "invalid request, `reminders_not_supported`: beyond the provider's limit (Google 5, Outlook one popup, CalDAV 5), or `busy_calendar_not_found`: a `busyCalendarIds` entry is not a calendar the account can read; nothing is changed",
      ...keyed,
      404: 'unknown connection or calendar',
      409: '`connection_needs_reauth`, `connection_disconnected`, or `connection_error`: its stored secrets cannot be read (the message says what to do)',
      502: '`provider_unavailable`: the calendar provider could not list calendars',
    },
  },
  {
    method: 'delete',
    path: '/v1/users/:userId/connections/:connectionId',
    tag: 'connections',
    summary:
      'Disconnect (optionally removing our events, `?removeEvents=true`). Always finishes, within a minute for an account that cannot be written any more (e.g. `needs_reauth`): poll the connection list until `status` is `disconnected`; after a removal it carries `eventsNotRemoved` (`[{bookingId, start, reason}]`, empty when every event was removed), also written to the sync log',
    auth: 'apiKey',
    responses: {
      200: 'disconnected already: nothing done',
      202: 'accepted: the connection (`removingEvents` while events are removed)',
      ...keyed,
      404: 'unknown connection',
    },
  },
  {
    method: 'post',
    path: '/v1/users/:userId/connections/:connectionId/reconnect',
    tag: 'connections',
    summary:
      'Reconnect a CalDAV or iCloud connection with a new app password (user name and server URL default to the stored ones), verified first; the same connection (id, events, bookings) is active again and its bookings are synced. OAuth connections reconnect through a connect link',
    auth: 'apiKey',
    body: caldavReconnectBodySchema,
    responses: {
      200: 'the connection, active',
      400: 'invalid request, or `invalid_credentials`, `caldav_not_supported`, `no_calendar`',
      ...keyed,
      404: 'unknown connection',
      409: '`connection_disconnected`, `not_reconnectable` (an OAuth connection), or `already_connected` (another connection of the user has that server and user name)',
      429: 'rate limited, or `too_many_connect_attempts` (`Retry-After`)',
      502: '`caldav_unreachable`',
    },
  },
  {
    method: 'get',
    path: '/v1/users/:userId/connections/:connectionId/calendars',
    tag: 'connections',
    summary: "The account's calendars (`{id, name, primary, writable, selected, countsForConflicts}`)",
    auth: 'apiKey',
    responses: {
      200: '`{calendars}`',
      ...keyed,
      404: 'unknown connection',
      409: '`connection_needs_reauth`, `connection_disconnected`, or `connection_error`: its stored secrets cannot be read',
      502: '`provider_unavailable`',
    },
  },
  {
    method: 'post',
    path: '/v1/users/:userId/settings-links',
    tag: 'connections',
    summary: 'A signed link to the settings page (valid one hour, exchanged for a session on use)',
    auth: 'apiKey',
    responses: { 201: '`{url, expiresAt}`', ...keyed },
  },
  {
    method: 'delete',
    path: '/v1/users/:userId/settings-links',
    tag: 'connections',
    summary: 'Revokes every settings link and session issued for the user so far',
    auth: 'apiKey',
    responses: { 204: 'revoked', ...keyed },
  },
  {
    method: 'post',
    path: '/v1/users/:userId/feed-links',
    tag: 'connections',
    summary:
      "A secret calendar feed link for the user (`https://…/feeds/<token>.ics`, also as `webcal://`); replaces the user's earlier link, whose URL then 404s",
    auth: 'apiKey',
    responses: { 201: '`{url, webcalUrl, createdAt}`', ...invalid, ...keyed },
  },
  {
    method: 'delete',
    path: '/v1/users/:userId/feed-links',
    tag: 'connections',
    summary: "Revokes the user's calendar feed link (its URL then 404s)",
    auth: 'apiKey',
    responses: { 204: 'revoked', ...invalid, ...keyed },
  },
  {
    method: 'get',
    path: '/feeds/:token.ics',
    tag: 'connections',
    summary:
      "The user's bookings as an iCalendar feed: upcoming confirmed ones and those cancelled in the last 7 days (`STATUS:CANCELLED`), none the user opted out of (`sync: false`), at most 1,000; the token in the path is the credential",
    auth: 'signedLink',
    responses: {
      200: '`text/calendar` with a strong `ETag`, `Cache-Control: private, max-age=300`',
      304: '`If-None-Match` matched: unchanged',
      404: 'unknown, rotated or revoked link (no detail)',
    },
  },
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
      'Events sent (or being sent) to NOTIFY_URL: `connection.connected`, `connection.needs_reauth`, `connection.error` (once per episode of `error`, `{userId, connectionId, reason, message}`), `booking.sync_failed`, `booking.conflict_detected`, `booking.removed_externally`, `booking.moved_externally`',
    auth: 'apiKey',
    query: notificationsQuerySchema,
    responses: { 200: '`{notifications}`', ...invalid, ...keyed },
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
