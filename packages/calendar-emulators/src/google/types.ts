// Wire types shared by the sandbox server and its control client. Type-only, so the
// control client can import them without pulling Express into a test process.

import type { CodeChallengeMethod, JsonValue } from '../shared/types';

export type { CodeChallengeMethod, FaultRuleInput, FaultRuleView, JsonObject, JsonValue } from '../shared/types';

export interface EventDateTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

export type ReminderMethod = 'email' | 'popup';

export interface EventReminderOverride {
  method: ReminderMethod;
  minutes: number;
}

export interface EventReminders {
  useDefault: boolean;
  overrides?: EventReminderOverride[];
}

export interface EventExtendedProperties {
  private?: Record<string, string>;
  shared?: Record<string, string>;
}

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';
export type EventTransparency = 'opaque' | 'transparent';
export type EventVisibility = 'default' | 'public' | 'private' | 'confidential';

/** `self` is set when the person is the calendar this copy of the event is read from. */
export interface EventPerson {
  email: string;
  displayName?: string;
  self?: true;
}

/** An event as the Calendar API returns it (the subset this sandbox models). */
export interface GoogleEventResource {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: EventStatus;
  htmlLink: string;
  created: string;
  updated: string;
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  creator: EventPerson;
  organizer: EventPerson;
  start: EventDateTime;
  end: EventDateTime;
  transparency?: EventTransparency;
  visibility?: EventVisibility;
  iCalUID: string;
  sequence: number;
  reminders: EventReminders;
  extendedProperties?: EventExtendedProperties;
  eventType: string;
  /** RRULE, RDATE and EXDATE lines of a series master (instances carry none). */
  recurrence?: string[];
  /** On an instance of a recurring event: the series master's id. */
  recurringEventId?: string;
  /** On an instance: where the series put it (instance ids are derived from it). */
  originalStartTime?: EventDateTime;
  // Stored and echoed verbatim, never interpreted.
  attendees?: JsonValue;
  attachments?: JsonValue;
  anyoneCanAddSelf?: JsonValue;
  conferenceData?: JsonValue;
  guestsCanInviteOthers?: JsonValue;
  guestsCanModify?: JsonValue;
  guestsCanSeeOtherGuests?: JsonValue;
  locked?: JsonValue;
  privateCopy?: JsonValue;
  source?: JsonValue;
}

/** What a caller may send to create an event (the server validates it like events.insert). */
export interface GoogleEventInput {
  id?: string;
  status?: EventStatus;
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  start: EventDateTime;
  end: EventDateTime;
  transparency?: EventTransparency;
  visibility?: EventVisibility;
  reminders?: EventReminders;
  extendedProperties?: EventExtendedProperties;
  sequence?: number;
  /**
   * `RRULE:…` (plus optional `RDATE`/`EXDATE`) lines, as on Google. A timed recurring event
   * needs `start.timeZone`: the series is expanded in that zone.
   */
  recurrence?: string[];
}

/** Google's calendar access roles, weakest first (calendarList's minAccessRole follows this order). */
export type CalendarAccessRole = 'freeBusyReader' | 'reader' | 'writer' | 'owner';

/** The roles a sandbox calendar can be created with: `reader` calendars are visible but not writable. */
export type SandboxCalendarRole = 'owner' | 'writer' | 'reader';

/** Control API input for a secondary calendar. */
export interface CreateCalendarInput {
  summary: string;
  /** IANA zone; defaults to UTC. */
  timeZone?: string;
  /** Defaults to `owner` (a calendar the user created). */
  accessRole?: SandboxCalendarRole;
}

/** A calendarList entry as the Calendar API returns it (the subset this sandbox models). */
export interface GoogleCalendarListEntry {
  kind: 'calendar#calendarListEntry';
  etag: string;
  id: string;
  summary: string;
  timeZone: string;
  colorId: string;
  backgroundColor: string;
  foregroundColor: string;
  selected: boolean;
  accessRole: CalendarAccessRole;
  defaultReminders: EventReminderOverride[];
  conferenceProperties: { allowedConferenceSolutionTypes: string[] };
  /** Only on the account's primary calendar. */
  primary?: true;
}

export interface SandboxConfig {
  /** Lifetime of newly minted access tokens. */
  accessTokenTtlSeconds: number;
  /** Calendar API requests per user per minute, counted over a sliding window; 0 turns the limit off. */
  perUserPerMinute: number;
  /**
   * The sliding window of the per-user limit, which admits perUserPerMinute × window ÷ 60
   * requests in any such window: the same rate, smaller bursts. Google's is a minute; tests
   * shorten it so that a bulk sync of a minute spans several windows.
   */
  perUserWindowSeconds: number;
  /** Refuse Calendar API calls the token's scopes do not cover (403 insufficientPermissions), as Google does. */
  enforceScopes: boolean;
  /**
   * Refuse events.watch addresses that are not https (400 push.webhookUrlNotHttps), as Google
   * does. Off by default so that tests can receive notifications on http://127.0.0.1.
   */
  requireHttpsWebhooks: boolean;
  /** How long one push notification POST may take before it counts as failed. */
  webhookTimeoutMs: number;
  /** Tries per push notification (1 = no retry); only timeouts, network errors, 429 and 5xx are retried. */
  webhookAttempts: number;
  /** Wait before the first retry of a push notification; each further retry waits twice as long. */
  webhookRetryDelayMs: number;
}

export interface AccountStats {
  /** Calendar API and token-endpoint requests attributed to this account. */
  requests: number;
  /** Successful grant_type=refresh_token exchanges. */
  tokenRefreshes: number;
  /** Refused grant_type=refresh_token exchanges for a refresh token of this account (revoked). */
  tokenRefreshFailures: number;
  /** Requests answered 403 userRateLimitExceeded by the per-user limiter. */
  rateLimited: number;
  /** Push notifications the receiver accepted (200, 201, 202 or 204), on any of the account's channels. */
  notificationsDelivered: number;
  /** Push notifications given up on (every try failed, or a status Google does not retry). */
  notificationsFailed: number;
}

export interface SandboxStats {
  /** Every request to the emulated Google surfaces (OAuth and Calendar API), /sandbox excluded. */
  requests: number;
  byAccount: Record<string, AccountStats>;
  faultsInjected: number;
  /** Push notifications delivered and given up on, over every channel. */
  notificationsDelivered: number;
  notificationsFailed: number;
}

export type AccessType = 'online' | 'offline';

export interface AuthorizeInput {
  email: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  accessType?: AccessType;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

/** events.watch's request body (Google's Channel resource, as a client sends it). */
export interface WatchRequest {
  /** Unique among open channels; at most 64 characters of [A-Za-z0-9-_+/=]. */
  id: string;
  /** `web_hook` (Google also accepts `webhook`). */
  type: 'web_hook' | 'webhook';
  /** Where notifications are POSTed (https only when `requireHttpsWebhooks` is on). */
  address: string;
  /** Echoed in X-Goog-Channel-Token; at most 256 characters. */
  token?: string;
  /** Requested expiry, ms since the epoch; default in 7 days, at most 30 days ahead. */
  expiration?: string | number;
  /** `ttl` (seconds) is honoured when no expiration is given; other params are stored. */
  params?: Record<string, string>;
}

/** The channel resource events.watch answers with. */
export interface GoogleChannelResource {
  kind: 'api#channel';
  id: string;
  /** Opaque and stable for the watched collection (one calendar's events). */
  resourceId: string;
  resourceUri: string;
  token?: string;
  /** ms since the epoch, as a string (Google's int64 encoding). */
  expiration: string;
}

export type SandboxChannelState = 'active' | 'stopped' | 'expired';

/** A channel as the control API shows it, with its delivery record. */
export interface SandboxChannelView {
  id: string;
  resourceId: string;
  resourceUri: string;
  token?: string;
  address: string;
  params?: Record<string, string>;
  /** The watched calendar's id. */
  calendarId: string;
  /** ms since the epoch. */
  expiration: number;
  state: SandboxChannelState;
  /** The last message number handed out (1 is the sync message). */
  messages: number;
  delivered: number;
  failed: number;
  /** Tries beyond the first, over all messages. */
  retries: number;
  /** Messages dropped unsent because the channel was stopped or expired first. */
  dropped: number;
  /** Messages queued or being sent. */
  pending: number;
  /** Why the last failed try failed (`HTTP 500`, `timeout`, …). */
  lastError?: string;
}
