import type { RouteDoc } from './catalogue';

/** The settings page and its forms (browser session; forms only from this service's own pages). */
export const SETTINGS_PAGE_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/settings',
    tag: 'connections',
    summary: "The user's settings page; `?token=` exchanges a link for the session cookie",
    auth: 'signedLink',
    responses: {
      200: 'HTML (with `?token=` from another site: a page that moves on to the bare `/settings`)',
      303: 'with `?token=`: to the bare `/settings`, the session cookie set',
      401: 'invalid, expired or revoked link or session',
    },
  },
  {
    method: 'post',
    path: '/settings/connect',
    tag: 'connections',
    summary:
      'Settings page: connect Google or Microsoft. A framed page (SETTINGS_FRAME_ANCESTORS) posts it into a new window with a `window` pass standing for the session there',
    auth: 'settingsSession',
    responses: { 303: 'to the provider', 401: 'no valid session', 403: "not posted from this service's own page" },
  },
  {
    method: 'post',
    path: '/settings/disconnect',
    tag: 'connections',
    summary: 'Settings page: disconnect',
    auth: 'settingsSession',
    responses: {
      303: 'back to the page',
      400: 'the page, with what went wrong',
      401: 'no valid session',
      403: "not posted from this service's own page",
      404: 'the page: not a calendar of this user, nothing changed',
    },
  },
  {
    method: 'post',
    path: '/settings/caldav',
    tag: 'connections',
    summary: 'Settings page: connect CalDAV or iCloud',
    auth: 'settingsSession',
    responses: {
      303: 'back to the page',
      400: 'the form again, with what to fix',
      401: 'no valid session',
      403: "not posted from this service's own page",
    },
  },
  {
    method: 'post',
    path: '/settings/reconnect',
    tag: 'connections',
    summary:
      'Settings page: reconnect a CalDAV or iCloud calendar with a new app password (the same calendar, its events and bookings kept)',
    auth: 'settingsSession',
    responses: {
      303: 'back to the page (`?status=reconnected`)',
      400: 'the form again, with what to fix',
      401: 'no valid session',
      403: "not posted from this service's own page",
      404: 'the page: not a calendar of this user, nothing changed',
      409: 'the page: the calendar was disconnected',
    },
  },
  {
    method: 'post',
    path: '/settings/feed-link',
    tag: 'connections',
    summary: "Settings page: create (or replace) the user's calendar feed link; the old one stops working",
    auth: 'settingsSession',
    responses: {
      200: 'the page, showing the new link (https and webcal) once, with copy buttons and how to add it to Google, Outlook and Apple',
      401: 'no valid session',
      403: "not posted from this service's own page",
    },
  },
  {
    method: 'post',
    path: '/settings/feed-link/revoke',
    tag: 'connections',
    summary: "Settings page: revoke the user's calendar feed link (its URL 404s)",
    auth: 'settingsSession',
    responses: { 303: 'back to the page', 401: 'no valid session', 403: "not posted from this service's own page" },
  },
  ...(
    [
      ['/settings/calendar', 'the calendar bookings are added to (`connectionId`, `calendarId`; its events move there)'],
      ['/settings/sync', 'sync on or off (`connectionId`, `syncEnabled` true|false)'],
      [
        '/settings/busy-calendars',
        'the calendars that count for conflicts (`connectionId`, `busyCalendarIds` repeated, `choice` chosen|default; at least one)',
      ],
      [
        '/settings/reminders',
        "the account's reminders (`connectionId`, `minutes` and `method` repeated per row, `choice` chosen|default), within its provider's limits",
      ],
    ] as const
  ).map(([path, what]): RouteDoc => ({
    method: 'post',
    path,
    tag: 'connections',
    summary: `Settings page: ${what}; the same change as PATCH /v1/users/:userId/connections/:connectionId`,
    auth: 'settingsSession',
    responses: {
      303: 'back to the page, with what was saved',
      400: 'the page, with what to fix: nothing changed',
      401: 'no valid session',
      403: "not posted from this service's own page",
      404: 'the page: not a calendar of this user, nothing changed',
      409: 'the page: the calendar is disconnected, needs reconnecting or in error',
      502: 'the page: the provider did not answer',
    },
  })),
];
