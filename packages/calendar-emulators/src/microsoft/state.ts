import { normalizeEmail } from '../shared/email';
import type { FaultRule, FaultState } from '../shared/faults';
import { SlidingWindowRateLimiter } from '../shared/sliding-window';
import type { SandboxLogger } from '../shared/types';
import { publishEventChange } from './change-notifications';
import type { EventChange, StoredEvent } from './event-model';
import { changeKeyFor, newCalendarId, SANDBOX_TENANT_ID, storeKeyFor, userIdFor } from './ids';
import type { SubscriptionRecord } from './subscription-model';
import { WebhookDispatcher } from './webhook-delivery';
import type { CodeChallengeMethod, GraphEmailAddress, MicrosoftAccountStats, MicrosoftSandboxConfig } from './types';

// The whole Microsoft sandbox lives in memory: one object, reset in place so that the
// Express app and every router keep pointing at the same instance.

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  /** When set, only these redirect URIs are accepted (the app registration's "Redirect URIs"). */
  redirectUris?: readonly string[];
}

export interface AuthorizationCode {
  code: string;
  email: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  expiresAt: number;
  used: boolean;
}

/** One user consent; refresh and access tokens hang off it and die with it. */
export interface Grant {
  id: string;
  email: string;
  clientId: string;
  scope: string;
  issuedAt: number;
  /** The newest refresh token of the grant's rotation chain, if the grant has offline_access. */
  currentRefreshToken?: string;
  /** When the grant was revoked (the user's TokensValidFrom), if it was. */
  revokedAt?: number;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  email: string;
  issuedAt: number;
  expiresAt: number;
  /** Set when this token was redeemed and a newer one issued in its place. */
  rotatedAt?: number;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  email: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

/** A calendar of a mailbox: the default one, or one added through the control API. */
export interface MailboxCalendar {
  id: string;
  name: string;
  isDefault: boolean;
  /** False for a calendar shared read-only: Graph writes to it get 403 ErrorAccessDenied. */
  canEdit: boolean;
  /** Undefined: the mailbox's owner (rendered with their current display name). */
  owner?: GraphEmailAddress;
  color: string;
  hexColor: string;
  changeKey: string;
  createdMs: number;
}

/** What a transactionId remembers: the event it created, for 24 hours. */
export interface TransactionRecord {
  eventId: string;
  expiresMs: number;
}

/** What a delta token stands for: a window of a calendar as the client last saw it. */
export interface DeltaState {
  calendarId: string;
  startMs: number;
  endMs: number;
  /** The mailbox's change counter when the round was computed: later writes are news. */
  seq: number;
  /** Events in the window at that time: ids that leave it come back as `@removed`. */
  known: ReadonlySet<string>;
}

/** One delta item, frozen when its round was computed. */
export type DeltaItem = { event: StoredEvent } | { removedId: string };

/** The rest of a delta round, behind a `$skiptoken`. */
export interface DeltaCursor {
  items: readonly DeltaItem[];
  offset: number;
  /** Becomes the `$deltatoken` once the last page has been served. */
  next: DeltaState;
}

/** The account's Exchange mailbox: its calendars, their events and the delta-sync state. */
export interface Mailbox {
  owner: string;
  createdMs: number;
  /** 16 bytes (hex) in every id and change key of the mailbox. */
  storeKey: string;
  defaultCalendarId: string;
  /** Calendars by id, the default one first, then in creation order. */
  calendars: Map<string, MailboxCalendar>;
  /** Every live event of the mailbox by id (ids are mailbox-wide in Graph). Deleted events are gone. */
  events: Map<string, StoredEvent>;
  /** Counts writes; each event remembers the count at its last write. */
  changeSeq: number;
  orderSeq: number;
  /** transactionId → the event it created (oldest first). */
  transactions: Map<string, TransactionRecord>;
  deltaTokens: Map<string, DeltaState>;
  skipTokens: Map<string, DeltaCursor>;
  /** Called after every event write: feeds the change notifications of subscriptions on the mailbox. */
  announce(change: EventChange): void;
}

export interface Account {
  /** The sign-in name (userPrincipalName), which keys the account here. */
  email: string;
  /** The Graph user id (a GUID): the `oid` of id tokens. */
  id: string;
  /** Graph's `mail`: whatever the tenant set, by default the sign-in name. */
  mail: string;
  /** The tenant (directory) the account belongs to: the `tid` of id tokens. */
  tenantId: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mailbox: Mailbox;
  stats: MicrosoftAccountStats;
  /** The mailbox is inactive (the account disabled, its licence removed): every mailbox call gets 404 MailboxNotEnabledForRESTAPI. */
  disabled: boolean;
}

export interface MicrosoftSandboxState extends FaultState {
  readonly clients: Map<string, ClientRegistration>;
  readonly defaults: MicrosoftSandboxConfig;
  config: MicrosoftSandboxConfig;
  accounts: Map<string, Account>;
  codes: Map<string, AuthorizationCode>;
  grants: Map<string, Grant>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  accessTokens: Map<string, AccessTokenRecord>;
  faults: FaultRule[];
  faultSeq: number;
  faultsInjected: number;
  requests: number;
  /** Graph's per-app-per-mailbox request limit. */
  readonly mailboxLimiter: SlidingWindowRateLimiter;
  /**
   * Graph requests in flight per app and mailbox (`clientId\nemail`), for the MailboxConcurrency
   * limit. Not cleared by a reset: requests still running release their slots when they end.
   */
  readonly inFlight: Map<string, number>;
  /** Change-notification subscriptions by id, ended ones kept (the control API reports on them). */
  subscriptions: Map<string, SubscriptionRecord>;
  /** Sends notifications and lifecycle events; a reset or shutdown cancels what is queued. */
  readonly webhooks: WebhookDispatcher;
  readonly logger?: SandboxLogger;
  now(): number;
}

export interface CreateStateOptions {
  clients: ClientRegistration[];
  config?: Partial<MicrosoftSandboxConfig>;
  logger?: SandboxLogger;
  now?: () => number;
}

export const DEFAULT_CONFIG: MicrosoftSandboxConfig = {
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 90 * 24 * 3600,
  strictRotation: false,
  mailboxRequestsPer10Minutes: 10_000,
  mailboxConcurrentRequests: 4,
  requireHttpsWebhooks: false,
  webhookValidationTimeoutMs: 10_000,
  webhookDeliveryTimeoutMs: 3_000,
  webhookMaxAttempts: 4,
  webhookRetryBaseDelayMs: 1_000,
};

const MAILBOX_WINDOW_MS = 10 * 60 * 1000;

export function createMicrosoftState(options: CreateStateOptions): MicrosoftSandboxState {
  const defaults: MicrosoftSandboxConfig = { ...DEFAULT_CONFIG, ...options.config };
  const state: MicrosoftSandboxState = {
    clients: new Map(options.clients.map((client) => [client.clientId, client])),
    defaults,
    config: { ...defaults },
    accounts: new Map(),
    codes: new Map(),
    grants: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    faults: [],
    faultSeq: 0,
    faultsInjected: 0,
    requests: 0,
    mailboxLimiter: new SlidingWindowRateLimiter(MAILBOX_WINDOW_MS),
    inFlight: new Map(),
    subscriptions: new Map(),
    webhooks: new WebhookDispatcher(() => ({
      timeoutMs: state.config.webhookDeliveryTimeoutMs,
      maxAttempts: state.config.webhookMaxAttempts,
      retryBaseDelayMs: state.config.webhookRetryBaseDelayMs,
    })),
    logger: options.logger,
    now: options.now ?? Date.now,
  };
  return state;
}

/** Forgets everything but the registered apps and the start-up defaults. */
export function resetMicrosoftState(state: MicrosoftSandboxState): void {
  state.config = { ...state.defaults };
  state.accounts = new Map();
  state.codes = new Map();
  state.grants = new Map();
  state.refreshTokens = new Map();
  state.accessTokens = new Map();
  state.faults = [];
  state.faultsInjected = 0;
  state.requests = 0;
  state.mailboxLimiter.clear();
  state.subscriptions = new Map();
  state.webhooks.abortAll();
}

export function findAccount(state: MicrosoftSandboxState, email: string): Account | undefined {
  return state.accounts.get(normalizeEmail(email));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "ada.lovelace@…" → Ada / Lovelace; an explicit display name splits at its first space. */
function names(email: string, displayName?: string): Pick<Account, 'displayName' | 'givenName' | 'surname'> {
  const words = displayName?.trim()
    ? displayName.trim().split(/\s+/)
    : (email.split('@')[0] ?? email)
        .split(/[._-]+/)
        .filter(Boolean)
        .map(capitalize);
  const [given, ...rest] = words;
  return {
    displayName: displayName?.trim() || words.join(' ') || email,
    givenName: given ?? null,
    surname: rest.length > 0 ? rest.join(' ') : null,
  };
}

function newMailbox(owner: string, now: number, announce: (change: EventChange) => void): Mailbox {
  const storeKey = storeKeyFor(owner);
  const calendar: MailboxCalendar = {
    id: newCalendarId(storeKey),
    name: 'Calendar',
    isDefault: true,
    canEdit: true,
    color: 'auto',
    hexColor: '',
    changeKey: changeKeyFor(storeKey, 0),
    createdMs: now,
  };
  return {
    owner,
    createdMs: now,
    storeKey,
    defaultCalendarId: calendar.id,
    calendars: new Map([[calendar.id, calendar]]),
    events: new Map(),
    changeSeq: 0,
    orderSeq: 0,
    transactions: new Map(),
    deltaTokens: new Map(),
    skipTokens: new Map(),
    announce,
  };
}

/** The mailbox owner as Graph names them in `owner` and `organizer`. */
export function ownerAddress(account: Account): GraphEmailAddress {
  return { name: account.displayName, address: account.email };
}

/** Outlook's calendar colours, in the order new calendars take them. */
const CALENDAR_COLORS: ReadonlyArray<readonly [string, string]> = [
  ['lightBlue', '#a6d1f5'],
  ['lightGreen', '#87d28e'],
  ['lightOrange', '#fcab73'],
  ['lightGray', '#c0c0c0'],
  ['lightYellow', '#f4d07a'],
  ['lightTeal', '#79dae8'],
  ['lightPink', '#e49da9'],
  ['lightBrown', '#d3b6a3'],
  ['lightRed', '#f88c9b'],
];

export interface NewCalendar {
  name: string;
  canEdit?: boolean;
  owner?: GraphEmailAddress;
}

/** Adds a calendar to the mailbox (writable unless `canEdit` is false). */
export function addCalendar(state: MicrosoftSandboxState, account: Account, input: NewCalendar): MailboxCalendar {
  const { mailbox } = account;
  const [color, hexColor] = CALENDAR_COLORS[(mailbox.calendars.size - 1) % CALENDAR_COLORS.length] ?? ['auto', ''];
  mailbox.changeSeq += 1;
  const calendar: MailboxCalendar = {
    id: newCalendarId(mailbox.storeKey),
    name: input.name,
    isDefault: false,
    canEdit: input.canEdit ?? true,
    ...(input.owner ? { owner: { name: input.owner.name, address: normalizeEmail(input.owner.address) } } : {}),
    color,
    hexColor,
    changeKey: changeKeyFor(mailbox.storeKey, mailbox.changeSeq),
    createdMs: state.now(),
  };
  mailbox.calendars.set(calendar.id, calendar);
  return calendar;
}

/** Creates the account on first use; a given display name replaces the current one. */
export function getOrCreateAccount(
  state: MicrosoftSandboxState,
  email: string,
  displayName?: string,
  directory: { mail?: string; tenantId?: string } = {},
): Account {
  const key = normalizeEmail(email);
  const existing = state.accounts.get(key);
  if (existing) {
    if (displayName?.trim()) Object.assign(existing, names(key, displayName));
    if (directory.mail !== undefined) existing.mail = directory.mail;
    if (directory.tenantId !== undefined) existing.tenantId = directory.tenantId.toLowerCase();
    return existing;
  }
  const account: Account = {
    email: key,
    id: userIdFor(key),
    mail: directory.mail ?? key,
    tenantId: (directory.tenantId ?? SANDBOX_TENANT_ID).toLowerCase(),
    ...names(key, displayName),
    // Bound to this account object: a write through a mailbox from before a reset notifies no one new.
    mailbox: newMailbox(key, state.now(), (change) => publishEventChange(state, account, change)),
    stats: { requests: 0, tokenRefreshes: 0, tokenRefreshFailures: 0, throttled: 0, concurrencyRejected: 0 },
    disabled: false,
  };
  state.accounts.set(key, account);
  return account;
}
