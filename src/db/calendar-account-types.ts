import type { AccountProblemKind } from '../domain/account-health';
import type { Reminder } from '../events/reminders';
import type { ProviderKind } from '../providers/types';
import type { BulkSyncProgress } from './bulk-sync';

export type CalendarAccountStatus = 'active' | 'needs_reauth' | 'error' | 'disconnected';

/** A calendar account as the rest of the service sees it: never a secret. */
export interface CalendarAccount {
  id: string;
  userId: string;
  provider: ProviderKind;
  status: CalendarAccountStatus;
  calendarId: string;
  syncEnabled: boolean;
  tokenExpiresAt: Date | null;
  tokenIssuedAt: Date | null;
  tokenVersion: number;
  lastSyncedAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  bulkSync: BulkSyncProgress | null;
  removingEvents: boolean;
  /** The account's own reminders; null: the deployment's EVENT_REMINDERS. */
  reminders: Reminder[] | null;
  /** The calendars whose busy times count for conflicts; null: the default (the primary calendar and the one events go to). */
  busyCalendarIds: string[] | null;
  /** In `error`: why, when the cause is known (see src/domain/account-health). */
  errorKind?: AccountProblemKind | null;
  /** CalDAV and iCloud: the server the account was found on (not a secret); null for OAuth accounts. */
  serverUrl: string | null;
  /** Set when a disconnect that was to remove our events finished: what it could not remove. */
  eventsNotRemoved: EventsNotRemoved | null;
}

/** What a disconnect with event removal left in the calendar (empty: everything was removed). */
export interface EventsNotRemoved {
  /** When the disconnect finished (ISO 8601). */
  at: string;
  events: EventNotRemoved[];
}

export interface EventNotRemoved {
  bookingId: string;
  /** When the booking starts (ISO 8601), so the user can find the event; null when unknown. */
  start: string | null;
  /** Why it was not removed, written for the user. */
  reason: string;
}

/** A CalDAV/iCloud account's sign-in again, for the same account (see CalendarAccountStore.reconnectCalDav). */
export interface CalDavReconnect {
  serverUrl: string;
  username: string;
  password: string;
  /** The calendar events go to, when it changed (the one held is gone from the server). */
  calendarUrl?: string;
}

export interface NewOAuthAccount {
  userId: string;
  provider: ProviderKind;
  calendarId: string;
  /** For display; matches a reconnect only for providers without a stable identity (`accountSubject`). */
  accountEmail: string;
  /**
   * The provider's stable identity of the account (Microsoft: `<tid>/<oid>`), which its owner
   * cannot set: a reconnect is matched on it. Undefined where the provider has none (Google: the
   * e-mail is the account's own address).
   */
  accountSubject?: string;
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date;
}

export interface NewCalDavAccount {
  userId: string;
  provider: ProviderKind;
  serverUrl: string;
  calendarUrl: string;
  username: string;
  password: string;
}

export interface TokenUpdate {
  accessToken: string;
  /** Set when the provider rotated it (Microsoft always does). */
  refreshToken?: string;
  expiresAt: Date;
}

/** A stored (new or reconnected) calendar account. */
export interface StoredAccount {
  account: CalendarAccount;
  created: boolean;
}

/** The user already has `limit` calendar accounts that are not disconnected: no new one was stored. */
export interface AccountLimitReached {
  limitReached: true;
  limit: number;
}
