import type { Reminder } from '../events/reminders';
import type { Credentials } from '../providers/types';
import type {
  AccountLimitReached,
  CalDavReconnect,
  CalendarAccount,
  EventsNotRemoved,
  NewCalDavAccount,
  NewOAuthAccount,
  StoredAccount,
  TokenUpdate,
} from './calendar-account-types';
import type { ProviderPaces } from './provider-budget';
import type { SyncLogEntry } from './sync-log';

/** An account and what a provider call authenticates with (null: no access token stored). */
export interface AccountWithCredentials {
  account: CalendarAccount;
  credentials: Credentials | null;
}

/** A calendar account under its per-account lock, and the writes that commit with the lock's transaction. */
export interface LockedCalendarAccount {
  account: CalendarAccount;
  refreshToken: string | null;
  inLock: {
    /** Returns the new token version. */
    storeTokens(tokens: TokenUpdate): Promise<number>;
    markNeedsReauth(lastError: string): Promise<void>;
    appendSyncLog(entries: SyncLogEntry[]): Promise<void>;
  };
}

/** calendar_connections: sealing on the way in, opening only where a caller asks for a secret. */
export interface CalendarAccountStore {
  /**
   * Stores an OAuth calendar account. Connecting the same account again (a reconnect) updates the
   * existing row — new tokens, `active`, no error — so a user never has two calendar accounts to one
   * calendar (which would mean two events per booking). Serialised per user. With `maxActive`,
   * a new account is refused when the user already has that many that are not disconnected
   * (counted under the same lock, so concurrent connects cannot exceed it); a reconnect is not refused.
   */
  upsertOAuth(newAccount: NewOAuthAccount, limit: { maxActive: number }): Promise<StoredAccount | AccountLimitReached>;
  upsertOAuth(newAccount: NewOAuthAccount): Promise<StoredAccount>;
  get(id: string): Promise<CalendarAccount | undefined>;
  /** Connections of these users that have not been disconnected. */
  listForUsers(userIds: string[]): Promise<CalendarAccount[]>;
  /** `secretUnavailable`: its e-mail could not be opened (the key is not configured). */
  listForUserWithEmail(userId: string): Promise<Array<CalendarAccount & { accountEmail: string | null; secretUnavailable?: true }>>;
  /**
   * A CalDAV/iCloud account (user name + app password), verified by the caller. The same user
   * name on the same server again updates the stored password instead of adding an account.
   * `maxActive` as for upsertOAuth.
   */
  upsertCalDav(newAccount: NewCalDavAccount, limit: { maxActive: number }): Promise<StoredAccount | AccountLimitReached>;
  upsertCalDav(newAccount: NewCalDavAccount): Promise<StoredAccount>;
  /**
   * Signs a CalDAV/iCloud account in again (credentials verified by the caller): the same row —
   * same id, events and bookings — gets the new password (and user name or server URL, when they
   * changed), `active`, no error. `not_found`: no such account that is not disconnected;
   * `other_account`: the user has another account with that server and user name (two accounts to
   * one calendar would mean two events per booking). Serialised per user, as connects are.
   */
  reconnectCalDav(id: string, update: CalDavReconnect): Promise<CalendarAccount | 'not_found' | 'other_account'>;
  /** What a provider call authenticates with: an app password (CalDAV) or the access token. */
  getWithCredentials(id: string): Promise<AccountWithCredentials | undefined>;
  /**
   * getWithCredentials and, in the same round trip, one token of the account's request budget
   * (`budgetKey`, at the pace `paces` gives its provider), as ProviderBudgetStore.tryTake takes
   * it; none is taken for an account that is disconnected or needs re-authentication.
   * `tokenTaken`: false also when the bucket held less than one.
   */
  getWithCredentialsTakingToken(
    id: string,
    budgetKey: string,
    paces: ProviderPaces,
  ): Promise<(AccountWithCredentials & { tokenTaken: boolean }) | undefined>;
  /**
   * Runs `work` holding a per-account lock that every process honours (a transaction-scoped
   * PostgreSQL advisory lock), with the row re-read under the lock. Used to refresh a token once
   * however many workflows ask at the same moment.
   */
  withLockedAccount<T>(id: string, work: (locked: LockedCalendarAccount) => Promise<T>): Promise<T>;
  setSyncEnabled(id: string, syncEnabled: boolean): Promise<CalendarAccount | undefined>;
  /** The calendar events go to; an error about the former one (or one of no known cause) ends with it. */
  setCalendar(id: string, calendarId: string): Promise<void>;
  /** The account's own reminders; null returns it to the deployment's EVENT_REMINDERS. */
  setReminders(id: string, reminders: Reminder[] | null): Promise<void>;
  markRemovingEvents(id: string): Promise<void>;
  /** The refresh token (or access token) to revoke at the provider, if any. */
  revocableToken(id: string): Promise<string | undefined>;
  /**
   * Disconnected for good: the secrets are erased, the row stays for the audit trail. A bulk
   * sync still shown running was cancelled by the disconnect: it is shown stopped. With
   * `eventsNotRemoved` (a disconnect that was to remove our events), what it left is kept.
   */
  markDisconnected(id: string, eventsNotRemoved?: EventsNotRemoved): Promise<void>;
}
