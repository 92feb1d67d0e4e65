import { normalizeEmail } from '../shared/email';
import type { FaultRule } from '../shared/faults';
import { SlidingWindowRateLimiter } from '../shared/sliding-window';
import type { SandboxLogger } from '../shared/types';
import { closeAllChannels, type WatchChannel } from './channels';
import type { StoredEvent } from './event-model';
import { newCalendarId } from './ids';
import type { AccessType, AccountStats, CodeChallengeMethod, EventReminderOverride, SandboxCalendarRole, SandboxConfig } from './types';

export { normalizeEmail };
export type { SandboxLogger };

// The whole sandbox lives in memory: one object, reset in place so that the
// Express app and every router keep pointing at the same instance.

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  /** When set, only these redirect URIs are accepted (Google's "Authorized redirect URIs"). */
  redirectUris?: readonly string[];
}

export interface AuthorizationCode {
  code: string;
  email: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  accessType: AccessType;
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
  refreshToken?: string;
  revoked: boolean;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  email: string;
  scope: string;
  expiresAt: number;
}

/** A page of a list, frozen when the first page was served so later pages stay consistent. */
export interface ListSnapshot {
  items: StoredEvent[];
  /** The calendar's change counter when the snapshot was taken; the final nextSyncToken points here. */
  syncSeq: number;
}

export interface PageCursor {
  snapshot: ListSnapshot;
  offset: number;
}

/** One calendar: its own events, change log, sync tokens and page tokens. */
export interface CalendarStore {
  /** The calendar id: the account's e-mail for the primary calendar, `…@group.calendar.google.com` otherwise. */
  id: string;
  /** The account the calendar belongs to (whose calendar list shows it). */
  accountEmail: string;
  primary: boolean;
  summary: string;
  timeZone: string;
  accessRole: SandboxCalendarRole;
  colorId: string;
  backgroundColor: string;
  defaultReminders: EventReminderOverride[];
  createdMs: number;
  events: Map<string, StoredEvent>;
  changeSeq: number;
  orderSeq: number;
  syncTokens: Map<string, number>;
  pageTokens: Map<string, PageCursor>;
}

/** A calendarList page, frozen (as calendar ids) when the first page was served. */
export interface CalendarListCursor {
  ids: string[];
  offset: number;
}

export interface Account {
  email: string;
  /** The primary calendar (id = e-mail, alias `primary`). */
  calendar: CalendarStore;
  /** Every calendar of the account by lower-cased id, primary first, then in creation order. */
  calendars: Map<string, CalendarStore>;
  calendarListPages: Map<string, CalendarListCursor>;
  stats: AccountStats;
  /** Calendar switched off for the user (a Workspace admin suspended them): every Calendar API call gets 403 notACalendarUser. */
  disabled: boolean;
}

export interface SandboxState {
  readonly clients: Map<string, ClientRegistration>;
  readonly defaults: SandboxConfig;
  config: SandboxConfig;
  accounts: Map<string, Account>;
  codes: Map<string, AuthorizationCode>;
  grants: Map<string, Grant>;
  /** refresh token → grant id */
  refreshTokens: Map<string, string>;
  accessTokens: Map<string, AccessTokenRecord>;
  faults: FaultRule[];
  faultSeq: number;
  faultsInjected: number;
  requests: number;
  /** Push channels by id (open, stopped and expired ones, until reset or the id is reused). */
  channels: Map<string, WatchChannel>;
  /** Push notifications over every channel; replaced (not zeroed) on reset. */
  notifications: { delivered: number; failed: number };
  readonly rateLimiter: SlidingWindowRateLimiter;
  readonly logger?: SandboxLogger;
  now(): number;
}

export interface CreateStateOptions {
  clients: ClientRegistration[];
  config?: Partial<SandboxConfig>;
  logger?: SandboxLogger;
  now?: () => number;
}

export const DEFAULT_CONFIG: SandboxConfig = {
  accessTokenTtlSeconds: 3600,
  perUserPerMinute: 600,
  perUserWindowSeconds: 60,
  enforceScopes: true,
  requireHttpsWebhooks: false,
  webhookTimeoutMs: 5000,
  webhookAttempts: 3,
  webhookRetryDelayMs: 1000,
};

export function createSandboxState(options: CreateStateOptions): SandboxState {
  const defaults: SandboxConfig = { ...DEFAULT_CONFIG, ...options.config };
  const state: SandboxState = {
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
    channels: new Map(),
    notifications: { delivered: 0, failed: 0 },
    rateLimiter: new SlidingWindowRateLimiter(),
    logger: options.logger,
    now: options.now ?? Date.now,
  };
  return state;
}

/** Forgets everything but the registered OAuth clients and the start-up defaults. */
export function resetSandboxState(state: SandboxState): void {
  // Closed, not just forgotten: nothing a previous test queued may still be sent.
  closeAllChannels(state);
  state.config = { ...state.defaults };
  state.accounts = new Map();
  state.codes = new Map();
  state.grants = new Map();
  state.refreshTokens = new Map();
  state.accessTokens = new Map();
  state.faults = [];
  state.faultsInjected = 0;
  state.requests = 0;
  state.notifications = { delivered: 0, failed: 0 };
  state.rateLimiter.clear();
}

export function findAccount(state: SandboxState, email: string): Account | undefined {
  return state.accounts.get(normalizeEmail(email));
}

/** The time zone of a primary calendar (and the default for new ones). */
export const PRIMARY_TIME_ZONE = 'UTC';

/** Google's calendar colours (colors.get), the primary's first; secondary calendars take the next ones in turn. */
const CALENDAR_COLORS: ReadonlyArray<readonly [string, string]> = [
  ['14', '#9fe1e7'],
  ['7', '#42d692'],
  ['16', '#4986e7'],
  ['6', '#ffad46'],
  ['17', '#9a9cff'],
  ['2', '#d06b64'],
  ['11', '#fbe983'],
  ['9', '#7bd148'],
];

interface CalendarProperties {
  id: string;
  accountEmail: string;
  primary: boolean;
  summary: string;
  timeZone: string;
  accessRole: SandboxCalendarRole;
  colorIndex: number;
  defaultReminders: EventReminderOverride[];
}

function newCalendarStore(properties: CalendarProperties, now: number): CalendarStore {
  const [colorId, backgroundColor] = CALENDAR_COLORS[properties.colorIndex % CALENDAR_COLORS.length] ?? ['14', '#9fe1e7'];
  return {
    id: properties.id,
    accountEmail: properties.accountEmail,
    primary: properties.primary,
    summary: properties.summary,
    timeZone: properties.timeZone,
    accessRole: properties.accessRole,
    colorId,
    backgroundColor,
    defaultReminders: properties.defaultReminders,
    createdMs: now,
    events: new Map(),
    changeSeq: 0,
    orderSeq: 0,
    syncTokens: new Map(),
    pageTokens: new Map(),
  };
}

/** Calendar ids are compared like e-mail addresses: trimmed, case-insensitive. */
export function calendarKey(calendarId: string): string {
  return normalizeEmail(calendarId);
}

export function getOrCreateAccount(state: SandboxState, email: string): Account {
  const key = normalizeEmail(email);
  let account = state.accounts.get(key);
  if (!account) {
    const primary = newCalendarStore(
      {
        id: key,
        accountEmail: key,
        primary: true,
        summary: key,
        timeZone: PRIMARY_TIME_ZONE,
        accessRole: 'owner',
        colorIndex: 0,
        defaultReminders: [{ method: 'popup', minutes: 10 }],
      },
      state.now(),
    );
    account = {
      email: key,
      calendar: primary,
      calendars: new Map([[key, primary]]),
      calendarListPages: new Map(),
      disabled: false,
      stats: {
        requests: 0,
        tokenRefreshes: 0,
        tokenRefreshFailures: 0,
        rateLimited: 0,
        notificationsDelivered: 0,
        notificationsFailed: 0,
      },
    };
    state.accounts.set(key, account);
  }
  return account;
}

export interface NewCalendar {
  summary: string;
  timeZone?: string;
  accessRole?: SandboxCalendarRole;
}

/** Adds a secondary calendar to the account (a new one starts with no default reminders, as on Google). */
export function addSecondaryCalendar(state: SandboxState, account: Account, input: NewCalendar): CalendarStore {
  let id = newCalendarId();
  while (account.calendars.has(id)) id = newCalendarId();
  const calendar = newCalendarStore(
    {
      id,
      accountEmail: account.email,
      primary: false,
      summary: input.summary,
      timeZone: input.timeZone ?? PRIMARY_TIME_ZONE,
      accessRole: input.accessRole ?? 'owner',
      colorIndex: account.calendars.size,
      defaultReminders: [],
    },
    state.now(),
  );
  account.calendars.set(id, calendar);
  return calendar;
}

/** One of the account's calendars by id, `primary` meaning the primary one. */
export function findCalendar(account: Account, calendarId: string): CalendarStore | undefined {
  if (calendarId === 'primary') return account.calendar;
  return account.calendars.get(calendarKey(calendarId));
}

/** Any account's calendar by id (event links carry only the calendar id). */
export function findCalendarById(state: SandboxState, calendarId: string): CalendarStore | undefined {
  const key = calendarKey(calendarId);
  for (const account of state.accounts.values()) {
    const calendar = account.calendars.get(key);
    if (calendar) return calendar;
  }
  return undefined;
}
