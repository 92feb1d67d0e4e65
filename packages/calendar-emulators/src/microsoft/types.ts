// Wire types shared by the Microsoft sandbox server and its control client. Type-only,
// so the control client can import them without pulling Express into a test process.

import type { CodeChallengeMethod, JsonValue } from '../shared/types';

export type { CodeChallengeMethod, FaultRuleInput, FaultRuleView, JsonObject, JsonValue } from '../shared/types';

export interface MicrosoftSandboxConfig {
  /** Lifetime of newly minted access tokens (`expires_in` and `ext_expires_in`). */
  accessTokenTtlSeconds: number;
  /** Lifetime of each refresh token from its issue (90 days at Microsoft); then invalid_grant AADSTS700082. */
  refreshTokenTtlSeconds: number;
  /**
   * Refresh tokens rotate either way: every refresh answers with a new one. Real AAD keeps
   * the old one valid until its own expiry (the default, false); true invalidates it as soon
   * as it has been redeemed, so a caller that ever uses a superseded token gets invalid_grant.
   */
  strictRotation: boolean;
  /** Graph requests per app per mailbox per sliding 10 minutes (Outlook: 10,000); 0 turns the limit off. */
  mailboxRequestsPer10Minutes: number;
  /**
   * Graph requests per app per mailbox in flight at once on mailbox resources (calendars,
   * events; Outlook: 4). One more is answered 429 ApplicationThrottled; 0 turns the limit off.
   */
  mailboxConcurrentRequests: number;
  /**
   * Real Graph accepts only https notification and lifecycle URLs. Off by default so local
   * tests can subscribe http://127.0.0.1 endpoints; turn it on to catch an http URL before
   * production does (400 ValidationError, no validation request sent).
   */
  requireHttpsWebhooks: boolean;
  /** How long a subscriber has to answer the validation request (Graph: 10 s); then 400 "timed out". */
  webhookValidationTimeoutMs: number;
  /** How long a notification POST may take before it counts as failed and is retried (Graph: 3 s). */
  webhookDeliveryTimeoutMs: number;
  /** Attempts per notification, the first included (Graph keeps retrying for 4 hours); 1 means no retries. */
  webhookMaxAttempts: number;
  /** Delay before the first retry; each further retry waits twice as long as the one before. */
  webhookRetryBaseDelayMs: number;
}

export interface MicrosoftAccountStats {
  /** Graph and token-endpoint requests attributed to this account. */
  requests: number;
  /** Successful grant_type=refresh_token exchanges. */
  tokenRefreshes: number;
  /** Refused grant_type=refresh_token exchanges of a refresh token of this account (revoked, expired, superseded, other client, scope). */
  tokenRefreshFailures: number;
  /** Graph requests answered 429 by the per-mailbox 10-minute window. */
  throttled: number;
  /** Graph requests answered 429 ApplicationThrottled because 4 others were already in flight (MailboxConcurrency). */
  concurrencyRejected: number;
}

export interface MicrosoftSandboxStats {
  /** Every request to the emulated Microsoft surfaces (identity platform and Graph), /sandbox excluded. */
  requests: number;
  byAccount: Record<string, MicrosoftAccountStats>;
  faultsInjected: number;
}

export interface MicrosoftAccountInput {
  email: string;
  /** Defaults to a name made from the address's local part ("ada.lovelace@…" → "Ada Lovelace"). */
  displayName?: string;
  /**
   * The directory's `mail` property, which a tenant's administrator sets freely (it need not be
   * this account's address, nor unique across tenants). Defaults to `email`.
   */
  mail?: string;
  /** The account's tenant (`tid`): a GUID; defaults to the sandbox's own tenant. */
  tenantId?: string;
}

/** A sandbox account as the control API shows it. */
export interface MicrosoftAccountView {
  email: string;
  /** The Graph user id: a GUID, stable for an address (also across resets); the `oid` of its id tokens. */
  id: string;
  /** Graph's `mail` (defaults to `email`). */
  mail: string;
  /** The `tid` of its id tokens. */
  tenantId: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
}

export interface MicrosoftAuthorizeInput {
  email: string;
  clientId: string;
  redirectUri: string;
  /** Defaults to DEFAULT_SCOPE: `openid profile offline_access User.Read Calendars.ReadWrite`. */
  scope?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

/** `GET /v1.0/me` (the default property set of a user). */
export interface GraphUser {
  '@odata.context': string;
  businessPhones: string[];
  displayName: string;
  givenName: string | null;
  jobTitle: string | null;
  mail: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  surname: string | null;
  userPrincipalName: string;
  id: string;
}

// Calendar resources, as Graph v1.0 returns them (the subset this sandbox models).

/** Graph's `dateTimeTimeZone`: a wall-clock time without offset plus a Windows or IANA zone name. */
export interface GraphDateTimeTimeZone {
  /** `2026-10-25T09:00:00.0000000` in responses; requests may leave out the fraction. */
  dateTime: string;
  timeZone: string;
}

export type GraphBodyType = 'text' | 'html';

export interface GraphItemBody {
  contentType: GraphBodyType;
  content: string;
}

export interface GraphEmailAddress {
  name: string;
  address: string;
}

export interface GraphLocation {
  displayName: string;
  locationType: string;
  uniqueIdType: string;
  address: Record<string, never>;
  coordinates: Record<string, never>;
}

/** `id` is `<Type> {<guid>} Name <name>`, `<Type> {<guid>} Id 0x<hex>` or `<Type> 0x<tag>`. */
export interface GraphSingleValueExtendedProperty {
  id: string;
  value: string;
}

// Recurrence (`microsoft.graph.patternedRecurrence`), in the full shape Graph answers with.

export type GraphDayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export type GraphRecurrencePatternType = 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
export type GraphWeekIndex = 'first' | 'second' | 'third' | 'fourth' | 'last';
export type GraphRecurrenceRangeType = 'endDate' | 'noEnd' | 'numbered';

/** Fields a pattern type does not use come back as Graph's defaults (0, [], 'sunday', 'first'). */
export interface GraphRecurrencePattern {
  type: GraphRecurrencePatternType;
  interval: number;
  month: number;
  dayOfMonth: number;
  daysOfWeek: GraphDayOfWeek[];
  firstDayOfWeek: GraphDayOfWeek;
  index: GraphWeekIndex;
}

/** `endDate` is `0001-01-01` unless the range type is endDate; `numberOfOccurrences` 0 unless numbered. */
export interface GraphRecurrenceRange {
  type: GraphRecurrenceRangeType;
  startDate: string;
  endDate: string;
  recurrenceTimeZone: string;
  numberOfOccurrences: number;
}

export interface GraphPatternedRecurrence {
  pattern: GraphRecurrencePattern;
  range: GraphRecurrenceRange;
}

/** What a caller may send: day names in any case, unused fields left out. */
export interface GraphPatternedRecurrenceInput {
  pattern: {
    type: GraphRecurrencePatternType;
    interval: number;
    month?: number;
    dayOfMonth?: number;
    daysOfWeek?: string[];
    firstDayOfWeek?: string;
    index?: GraphWeekIndex;
  };
  range: {
    type: GraphRecurrenceRangeType;
    startDate: string;
    endDate?: string;
    numberOfOccurrences?: number;
    recurrenceTimeZone?: string;
  };
}

export type GraphEventType = 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';

export type GraphShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
export type GraphImportance = 'low' | 'normal' | 'high';
export type GraphSensitivity = 'normal' | 'personal' | 'private' | 'confidential';

/** An event (`microsoft.graph.event`) in Graph's default property set. */
export interface GraphEvent {
  '@odata.context'?: string;
  '@odata.etag': string;
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  categories: string[];
  transactionId: string | null;
  originalStartTimeZone: string;
  originalEndTimeZone: string;
  iCalUId: string;
  reminderMinutesBeforeStart: number;
  isReminderOn: boolean;
  hasAttachments: boolean;
  subject: string;
  bodyPreview: string;
  importance: GraphImportance;
  sensitivity: GraphSensitivity;
  isAllDay: boolean;
  isCancelled: boolean;
  isOrganizer: boolean;
  responseRequested: boolean;
  /** The series master's id on occurrences and exceptions; null otherwise. */
  seriesMasterId: string | null;
  showAs: GraphShowAs;
  type: GraphEventType;
  webLink: string;
  onlineMeetingUrl: string | null;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  allowNewTimeProposals: boolean;
  isDraft: boolean;
  hideAttendees: boolean;
  /** Only on series masters. */
  recurrence: GraphPatternedRecurrence | null;
  onlineMeeting: null;
  responseStatus: { response: string; time: string };
  body: GraphItemBody;
  start: GraphDateTimeTimeZone;
  end: GraphDateTimeTimeZone;
  location: GraphLocation;
  locations: JsonValue[];
  attendees: JsonValue[];
  organizer: { emailAddress: GraphEmailAddress };
  /** Occurrences and exceptions only: where the occurrence was in the pattern (UTC, `2026-10-05T07:00:00Z`). */
  originalStart?: string;
  /** Only when `$expand`ed (control listings always include them). */
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

/** What a caller may send to create an event (validated like `POST /me/events`). */
export interface GraphEventInput {
  subject?: string;
  body?: { contentType?: GraphBodyType; content?: string };
  start: GraphDateTimeTimeZone;
  end: GraphDateTimeTimeZone;
  location?: { displayName?: string };
  isAllDay?: boolean;
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  showAs?: GraphShowAs;
  importance?: GraphImportance;
  sensitivity?: GraphSensitivity;
  categories?: string[];
  transactionId?: string;
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
  /** Makes the event a series master. */
  recurrence?: GraphPatternedRecurrenceInput | null;
}

/** A calendar (`microsoft.graph.calendar`). */
export interface GraphCalendar {
  '@odata.context'?: string;
  id: string;
  name: string;
  color: string;
  hexColor: string;
  isDefaultCalendar: boolean;
  changeKey: string;
  canShare: boolean;
  canViewPrivateItems: boolean;
  canEdit: boolean;
  isRemovable: boolean;
  isTallyingResponses: boolean;
  allowedOnlineMeetingProviders: string[];
  defaultOnlineMeetingProvider: string;
  owner: GraphEmailAddress;
}

/** Control API input for an extra calendar of a mailbox. */
export interface CreateMicrosoftCalendarInput {
  name: string;
  /** Defaults to true; false makes a calendar the user can see but not write (Graph answers 403 ErrorAccessDenied). */
  canEdit?: boolean;
  /** Defaults to the mailbox's owner (a calendar shared by someone else names them here). */
  owner?: GraphEmailAddress;
}

// Change notifications (`/subscriptions`) and their control views.

export type GraphChangeType = 'created' | 'updated' | 'deleted';
export type GraphLifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

/** A subscription (`microsoft.graph.subscription`) as Graph answers with it. */
export interface GraphSubscription {
  '@odata.context'?: string;
  id: string;
  resource: string;
  applicationId: string;
  /** As given, e.g. `created,updated,deleted`. */
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  notificationQueryOptions: null;
  lifecycleNotificationUrl: string | null;
  /** `2026-10-01T09:00:00.0000000Z`. */
  expirationDateTime: string;
  creatorId: string;
  includeResourceData: boolean | null;
  latestSupportedTlsVersion: string;
  encryptionCertificate: null;
  encryptionCertificateId: null;
  notificationUrlAppId: null;
}

/** What `POST /subscriptions` takes. */
export interface GraphSubscriptionInput {
  changeType: string;
  notificationUrl: string;
  resource: string;
  expirationDateTime: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  latestSupportedTlsVersion?: string;
  includeResourceData?: boolean;
}

/** One change notification, as POSTed to notificationUrl inside `{value: [...]}`. */
export interface GraphChangeNotification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  changeType: GraphChangeType;
  /** `Users/{userId}/Events/{eventId}`. */
  resource: string;
  resourceData: {
    '@odata.type': '#Microsoft.Graph.Event';
    '@odata.id': string;
    '@odata.etag': string;
    id: string;
  };
  clientState: string | null;
  tenantId: string;
}

/** One lifecycle notification, as POSTed to lifecycleNotificationUrl inside `{value: [...]}`. */
export interface GraphLifecycleNotification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  tenantId: string;
  clientState: string | null;
  lifecycleEvent: GraphLifecycleEvent;
}

export interface GraphNotificationCollection<T> {
  value: T[];
}

/** Where a subscription stands: only `active` ones are visible through Graph and send notifications. */
export type MicrosoftSubscriptionStatus = 'active' | 'expired' | 'deleted' | 'removed';

export interface MicrosoftSubscriptionDeliveries {
  /** Change notifications generated for the subscription. */
  notificationsQueued: number;
  /** Answered 2xx by notificationUrl. */
  notificationsDelivered: number;
  /** Given up after the last attempt. */
  notificationsFailed: number;
  /** Never sent: the subscription ended, or was paused for reauthorization, before they went out. */
  notificationsDropped: number;
  /** Change-notification POSTs, retries included. */
  deliveryAttempts: number;
  lifecycleNotificationsQueued: number;
  lifecycleNotificationsDelivered: number;
  lifecycleNotificationsFailed: number;
  /** Queued (change or lifecycle) and not yet delivered, failed or dropped. */
  pending: number;
}

/** A subscription as the control API shows it, ended ones included. */
export interface MicrosoftSubscriptionView {
  id: string;
  /** The mailbox (e-mail) the subscription watches. */
  account: string;
  clientId: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
  status: MicrosoftSubscriptionStatus;
  /** Set by a reauthorizationRequired lifecycle event; cleared by reauthorize or a renewal. */
  reauthorizationRequired: boolean;
  /** True while change notifications are dropped until the app reauthorizes. */
  notificationsPaused: boolean;
  deliveries: MicrosoftSubscriptionDeliveries;
}

/** Control API input for a lifecycle event. */
export interface MicrosoftLifecycleEventInput {
  lifecycleEvent: GraphLifecycleEvent;
  /**
   * reauthorizationRequired only: drop change notifications until the app calls
   * `POST /subscriptions/{id}/reauthorize` or renews (Graph pauses delivery eventually).
   */
  pauseNotifications?: boolean;
}

export interface MicrosoftLifecycleEventResult {
  subscription: MicrosoftSubscriptionView;
  /** False when the subscription has no lifecycleNotificationUrl: the event took effect silently. */
  lifecycleNotificationQueued: boolean;
}
