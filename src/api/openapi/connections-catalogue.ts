import type { RouteDoc } from './catalogue';
import { invalid, keyed } from './common-responses';
import {
  caldavAccountBodySchema,
  caldavReconnectBodySchema,
  connectLinkBodySchema,
  patchAccountBodySchema,
  settingsLinkBodySchema,
} from '../schemas';

/** Calendar connections: connect links, CalDAV accounts, their calendars, settings and disconnects. */
export const CONNECTION_ROUTES: RouteDoc[] = [
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
    summary:
      "A signed link to the settings page (valid one hour, exchanged for a session on use); the optional body's `timeZone` is the zone the page shows times in (default: the browser's)",
    auth: 'apiKey',
    body: settingsLinkBodySchema,
    responses: { 201: '`{url, expiresAt}`', ...invalid, ...keyed },
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
];
