import type { Reminder } from '../events/reminders';

export type ProviderKind = 'google' | 'microsoft' | 'caldav' | 'icloud';

/** Which event this is: providers derive their idempotent identity from it. */
export interface EventKey {
  bookingId: string;
  connectionId: string;
}

/** A provider-neutral event, already rendered for one participant. */
export interface EventSpec {
  key: EventKey;
  title: string;
  description: string;
  location?: string;
  url?: string;
  /** RFC 3339 instants and the IANA zone to show them in. */
  start: string;
  end: string;
  timeZone: string;
  reminders: Reminder[];
  /**
   * The reminders are the account's own, already checked against this provider's limits: written
   * as they are (Outlook's one reminder; e-mail ones as CalDAV e-mail alarms), not adapted.
   */
  accountReminders?: boolean;
}

/** How a call authenticates: an OAuth access token, or a CalDAV user name and app password. */
export type Credentials =
  | { kind: 'bearer'; accessToken: string }
  /** CalDAV: the app password and the server the account was discovered on. */
  | { kind: 'basic'; username: string; password: string; serverUrl: string };

/** What a provider call needs to act for a user. Never logged, never put in Temporal payloads. */
export interface AccessContext {
  credentials: Credentials;
  /** Provider calendar id (`primary` for the default one); for CalDAV the collection URL. */
  calendarId: string;
  /** Ends every request of the call when it aborts: the activity making the call was cancelled, or timed out. */
  signal?: AbortSignal;
  /** Called after each page a paging read receives, so the caller can report that a long read is alive. */
  onPage?: () => void;
}

/** The bearer token of an OAuth provider's context. */
export function bearerToken(credentials: Credentials): string {
  if (credentials.kind !== 'bearer') throw new ProviderError('rejected', 'this provider needs an OAuth access token');
  return credentials.accessToken;
}

export interface UpsertOutcome {
  externalEventId: string;
  etag: string | undefined;
  action: 'created' | 'updated';
}

export interface DeleteOutcome {
  action: 'deleted' | 'already_gone';
}

/** One of the account's calendars, to let the user choose where events go. */
export interface CalendarInfo {
  /** The id this service stores for the calendar (`primary` for an OAuth account's default one). */
  id: string;
  name: string;
  primary: boolean;
  /** Whether this service can write events there. */
  writable: boolean;
  timeZone?: string;
}

/** A stretch of time the user's calendar shows them busy, from an event this service did not write. */
export interface BusyInterval {
  /** RFC 3339 instants (UTC). */
  start: string;
  end: string;
}

/** The time range busy times are read for. */
export interface BusyWindow {
  from: Date;
  to: Date;
}

/**
 * One calendar item as a change read reports it. Reads key everything by `itemId`, so applying
 * an incremental read is: forget what was known about each item, then take what it says now.
 */
export interface CalendarItemChange {
  /**
   * The provider's id for the item: Google event or instance id, Graph event or occurrence id,
   * CalDAV object URL. For an event this service wrote it equals the `externalEventId` its
   * upsert returned, so the service can tell when the user deletes or moves one.
   */
  itemId: string;
  /** Deleted or cancelled. */
  removed: boolean;
  /** A present item that this service wrote (recognised by its tag). */
  ours: boolean;
  /** Busy time it makes within the window: empty when free, ours, removed or outside. */
  busy: BusyInterval[];
  /** A present, non-recurring item's own start and end (RFC 3339, UTC): how a move of ours is seen. */
  start?: string;
  end?: string;
}

/** The result of reading a calendar's changes (or, when the read is full, its whole window). */
export interface CalendarChanges {
  /** `full`: `items` is everything in the window, forget the rest; `incremental`: only what changed since the cursor. */
  mode: 'full' | 'incremental';
  /** A cursor was given but the provider no longer knew it (Google 410, Graph syncStateNotFound, CalDAV 403/409): this read is full. */
  cursorExpired: boolean;
  items: CalendarItemChange[];
  /** Where the next incremental read starts; undefined where the server tracks no changes. Not a secret, but opaque. */
  cursor?: string;
}

/** What a push channel (Google watch channel, Graph subscription) is opened with. */
export interface PushChannelRequest {
  /** Our id for the channel (Google's channel id). */
  channelId: string;
  /** Where change notifications go (https in production). */
  address: string;
  /** Where lifecycle notifications go (Graph). */
  lifecycleAddress: string;
  /** Echoed on every notification (Google token, Graph clientState), so forged ones can be refused. */
  secret: string;
  expiresAt: Date;
}

export interface OpenedPushChannel {
  /** The provider's id for it (Graph subscription id; Google: our channel id). */
  externalId: string;
  /** Google's resource id, needed to stop the channel. */
  resourceId?: string;
  expiresAt: Date;
}

/** Providers that can call back when the calendar changes. */
export interface PushSupport {
  /** Longest lifetime worth asking for; the channel is replaced before it ends. */
  readonly maxLifetimeMs: number;
  openChannel(ctx: AccessContext, request: PushChannelRequest): Promise<OpenedPushChannel>;
  /** Stops it; one that is already gone is success. */
  closeChannel(ctx: AccessContext, channel: { channelId: string; externalId: string; resourceId?: string }): Promise<void>;
}

/** Every provider adapter implements this; nothing outside `src/providers/<name>/` knows more. */
export interface CalendarProvider {
  readonly kind: ProviderKind;
  /** The provider's per-user request quota, which bulk work is paced under. */
  readonly requestsPerSecondPerUser: number;
  /** At most this many requests in flight per account across all workers (Graph: 4); undefined = no limit. */
  readonly maxConcurrentRequestsPerUser?: number;
  /**
   * The id `listCalendars` gives every account's default calendar (Google, Microsoft: `primary`);
   * undefined where an account has no default calendar of its own (CalDAV).
   */
  readonly defaultCalendarId?: string;
  /** Creates or updates the one event for `event.key`; safe to repeat after any failure. */
  upsertEvent(ctx: AccessContext, event: EventSpec, known: { externalEventId?: string }): Promise<UpsertOutcome>;
  /** Deletes it; an event that is already gone is success. */
  deleteEvent(ctx: AccessContext, key: EventKey, known: { externalEventId?: string }): Promise<DeleteOutcome>;
  /** The account's calendars. */
  listCalendars(ctx: Pick<AccessContext, 'credentials' | 'signal'>): Promise<CalendarInfo[]>;
  /**
   * The calendar's items in `window`, or (given the cursor of the previous read, for the same
   * calendar and window) only those that changed since: Google sync tokens, Graph
   * calendarView/delta, CalDAV sync-collection. An expired cursor is handled here with a full
   * read (`cursorExpired`). Busy time: recurring events expanded, all-day events included;
   * free/transparent and cancelled events, and events this service wrote, left out.
   */
  readChanges(ctx: AccessContext, window: BusyWindow, cursor?: string): Promise<CalendarChanges>;
  /** Push notifications, where the provider offers them (not CalDAV). */
  readonly push?: PushSupport;
}

export interface TokenSet {
  accessToken: string;
  /** Present when the provider issued or rotated one. */
  refreshToken?: string;
  expiresAt: Date;
  /** The scopes granted, as the token response lists them (space-separated), when it does. */
  scope?: string;
  /** The OpenID Connect id token, when the provider issued one (straight from its token endpoint over TLS). */
  idToken?: string;
}

/** Who connected: the e-mail to show, and the provider's stable identity of the account where it has one. */
export interface AccountIdentity {
  email: string;
  /** An id the account's owner cannot set (Microsoft: `<tid>/<oid>`); undefined where the e-mail is the identity (Google). */
  subject?: string;
}

/** OAuth side of a provider: what token refresh and connecting need. */
export interface OAuthProvider {
  readonly kind: ProviderKind;
  /** What the service asks the user to grant. */
  readonly scopes: readonly string[];
  /** Where the user's browser goes to consent: offline access, PKCE S256, our state. */
  authorizeUrl(input: { state: string; redirectUri: string; codeChallenge: string; loginHint?: string }): string;
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet>;
  /** `cancel`: the caller's cancellation, which ends the request. */
  refresh(refreshToken: string, cancel?: AbortSignal): Promise<TokenSet>;
  /** Who the tokens of a code exchange belong to. */
  identifyAccount(tokens: TokenSet): Promise<AccountIdentity>;
  /** Scopes the service needs that the grant (`tokens.scope`) lacks: the user unticked them at consent. */
  missingScopes(tokens: TokenSet): string[];
  /** Revokes the grant at the provider where it allows it; an already-dead token is success. */
  revoke(token: string, cancel?: AbortSignal): Promise<void>;
}

export type ProviderErrorKind =
  /** The access token was refused: refresh it and try again. */
  | 'unauthorized'
  /** The refresh token or grant is dead: the user must reconnect. */
  | 'invalid_grant'
  /** Slow down: retry after `retryAfterMs` or a backoff. */
  | 'rate_limited'
  /** Daily/project quota: retry much later. */
  | 'quota_exceeded'
  /** Server or network trouble: retry. */
  | 'transient'
  /** The request can never succeed as sent. */
  | 'rejected'
  /**
   * The provider says the account itself cannot be used (Google: its Calendar service is off or
   * the user suspended; Graph: the mailbox is inactive or the account disabled).
   */
  | 'account_disabled'
  | 'not_found'
  | 'precondition_failed';

/**
 * A provider failure as a typed value. The message is safe to store and show: adapters build it
 * from status codes and the provider's reason, never from request headers or bodies.
 */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; reason?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
