// Wire types shared by the sandbox server and its control client. Type-only, so the
// control client can import them without pulling Express into a test process.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

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

export interface EventPerson {
  email: string;
  self: true;
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
export type CodeChallengeMethod = 'S256' | 'plain';

export interface AuthorizeInput {
  email: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  accessType?: AccessType;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

export interface FaultRuleInput {
  /** Match: HTTP method (case-insensitive). */
  method?: string;
  /** Match: substring of the request path and query. */
  path?: string;
  /** Match: the account (e-mail) the request acts for. */
  account?: string;
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** Google error reason for the generated body (e.g. rateLimitExceeded, backendError). */
  reason?: string;
  message?: string;
  /** Exact JSON body to send instead of a generated one. */
  body?: JsonValue;
  /** Sets the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /** Perform the request for real, then close the socket without answering. */
  dropResponse?: boolean;
  /** Destroy the socket (TCP reset) before doing anything. */
  resetConnection?: boolean;
  /** Delay before handling; alone it is a pass-through with latency. */
  latencyMs?: number;
  /** How many matching requests the rule applies to (default 1); 'always' never runs out. */
  times?: number | 'always';
  /** Chance (0..1) that a matching request is hit; drawn from a PRNG seeded with `seed`. */
  probability?: number;
  seed?: number;
}

export interface FaultRuleView extends FaultRuleInput {
  id: string;
  remaining: number | 'always';
  hits: number;
}
