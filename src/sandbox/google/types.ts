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
  // Stored and echoed verbatim, never interpreted (recurrence is not expanded).
  attendees?: JsonValue;
  attachments?: JsonValue;
  anyoneCanAddSelf?: JsonValue;
  conferenceData?: JsonValue;
  guestsCanInviteOthers?: JsonValue;
  guestsCanModify?: JsonValue;
  guestsCanSeeOtherGuests?: JsonValue;
  locked?: JsonValue;
  privateCopy?: JsonValue;
  recurrence?: JsonValue;
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
  /** Calendar API requests per user per sliding minute; 0 turns the limit off. */
  perUserPerMinute: number;
  /** Refuse Calendar API calls the token's scopes do not cover (403 insufficientPermissions), as Google does. */
  enforceScopes: boolean;
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
}

export interface SandboxStats {
  /** Every request to the emulated Google surfaces (OAuth and Calendar API), /sandbox excluded. */
  requests: number;
  byAccount: Record<string, AccountStats>;
  faultsInjected: number;
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
