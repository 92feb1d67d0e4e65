import {
  connectCalDav,
  reconnectCalDav,
  type CalDavConnectError,
  type CalDavConnectInput,
  type CalDavReconnectError,
} from '../account-access/caldav-connect';
import {
  connectionLimitReached,
  countConnectAttempt,
  type AttemptLimitRefusal,
  type ConnectLimits,
} from '../account-access/connect-limits';
import type { BusyStore } from '../db/busy-times';
import type { CalendarAccount, CalendarAccountStore } from '../db/calendar-accounts';
import { busyCalendars, type CalendarsToRead } from '../domain/busy-calendars';
import type { ConnectAttemptStore } from '../db/connect-attempts';
import { SecretUnavailableError } from '../db/sealed-columns';
import { accountProblemMessage } from '../domain/account-health';
import { reminderLimitProblem, sameReminders } from '../events/reminder-limits';
import type { Reminder } from '../events/reminders';
import type { Logger } from '../logging';
import type { DiscoveredAccount } from '../providers/caldav';
import { ProviderError, type CalendarInfo, type ProviderRegistry } from '../providers';
import type { WorkflowGateway } from '../temporal/workflow-gateway';

/** A stored calendar account as its owner may see it: never a secret. */
export type CalendarAccountWithEmail = CalendarAccount & { accountEmail: string | null };

/** Why an operation on a user's calendar account was refused. */
export type CalendarAccountError =
  /** Not one of this user's accounts: someone else's is indistinguishable from a missing one. */
  | { code: 'account_not_found'; userId: string; accountId: string }
  | { code: 'account_disconnected' }
  /** The provider refused the stored grant: the user must connect the account again. */
  | { code: 'account_needs_reauth' }
  /** The account is in `error` for a cause the user or operator must remove first; `message` says which. */
  | { code: 'account_error'; message: string }
  | { code: 'provider_unavailable'; detail: string }
  | { code: 'calendar_not_found' }
  | { code: 'calendar_not_writable'; calendarName: string }
  /** `busyCalendarIds[index]` is not one of the calendars the account can read. */
  | { code: 'busy_calendar_not_found'; index: number }
  /** Beyond what the account's provider allows; `message` names the limit, for the user. */
  | { code: 'reminders_not_supported'; message: string }
  | ConnectRefusal;

/** A CalDAV account could not be verified or stored; `message` is written for the user. */
export interface CalDavRefusal {
  code: CalDavConnectError | CalDavReconnectError;
  message: string;
}

/** A CalDAV/iCloud account's sign-in again; the user name and server URL default to the stored ones. */
export interface CalDavReconnectInput {
  serverUrl?: string;
  username?: string;
  password: string;
}

/** Why a connect was refused: the account (CalDavRefusal) or the user's hourly attempts. */
export type ConnectRefusal = CalDavRefusal | AttemptLimitRefusal;

export type AccountResult<T> = { ok: true; value: T } | { ok: false; error: CalendarAccountError };

export interface AccountChange {
  syncEnabled?: boolean;
  calendarId?: string;
  /** The account's own reminders; null returns it to the deployment's EVENT_REMINDERS. */
  reminders?: Reminder[] | null;
  /** The calendars whose busy times count for conflicts; null returns it to the default (the primary calendar and the one events go to). */
  busyCalendarIds?: string[] | null;
}

export interface CalendarAccountsDeps {
  accounts: Pick<
    CalendarAccountStore,
    'listForUserWithEmail' | 'upsertCalDav' | 'reconnectCalDav' | 'setCalendar' | 'setReminders' | 'setSyncEnabled' | 'markRemovingEvents'
  >;
  workflows: Pick<WorkflowGateway, 'signalConnected' | 'signalDisconnect' | 'signalPush'>;
  providers: Pick<ProviderRegistry, 'oauth' | 'calendar'>;
  /** Which calendars count for conflicts. */
  busy: Pick<BusyStore, 'chooseCalendars'>;
  /** The account's calendars at its provider (an OAuth token refreshed first when needed); throws `ProviderError`. */
  listCalendars(account: CalendarAccount): Promise<CalendarInfo[]>;
  icloudCaldavUrl: string;
  /** Where each user's connect attempts are counted (shared by every API process). */
  attempts: Pick<ConnectAttemptStore, 'tryRecord'>;
  limits: ConnectLimits;
  /** Verifies CalDAV credentials and finds the calendars (over the address-guarded transport); throws `ProviderError`. */
  discoverCalDav(input: { serverUrl: string; username: string; password: string }): Promise<DiscoveredAccount>;
  /** Where the details of a refused connect or a failed provider call go (users are told less). */
  logger: Pick<Logger, 'info'>;
}

/** Two choices of calendars (null: the default) are the same set. */
function sameChoice(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((id) => b.includes(id));
}

const refused = (error: CalendarAccountError): { ok: false; error: CalendarAccountError } => ({ ok: false, error });

/**
 * A user's calendar accounts: connect (CalDAV here; OAuth through its connect flow), list,
 * the account's calendars, sync on/off, the calendar events go to, disconnect. Used alike by
 * the JSON API and the settings page, so each rule holds for both.
 */
export class CalendarAccounts {
  constructor(private readonly deps: CalendarAccountsDeps) {}

  /** The user's accounts; one whose secrets cannot be opened shows as in `error`, saying why. */
  async list(userId: string): Promise<CalendarAccountWithEmail[]> {
    const accounts = await this.deps.accounts.listForUserWithEmail(userId);
    return accounts.map(({ secretUnavailable, ...account }): CalendarAccountWithEmail =>
      secretUnavailable && (account.status === 'active' || account.status === 'error')
        ? { ...account, status: 'error', errorKind: 'secret_unavailable', lastError: accountProblemMessage('secret_unavailable') }
        : account,
    );
  }

  /** Which OAuth providers this deployment can connect (configured with client credentials). */
  connectableProviders(): { google: boolean; microsoft: boolean } {
    const configured = (kind: 'google' | 'microsoft'): boolean => {
      try {
        this.deps.providers.oauth(kind);
        return true;
      } catch {
        return false;
      }
    };
    return { google: configured('google'), microsoft: configured('microsoft') };
  }

  private async owned(userId: string, accountId: string): Promise<CalendarAccountWithEmail | undefined> {
    return (await this.list(userId)).find((a) => a.id === accountId);
  }

  /**
   * Verifies the CalDAV account by discovery, stores it (a known account is updated) and starts
   * its sync. Refused before any request to the server when the user has as many accounts as
   * allowed and this is not one of them, or has used up the hour's connect attempts.
   */
  async connectCalDav(
    userId: string,
    input: Omit<CalDavConnectInput, 'userId'>,
  ): Promise<{ ok: true; value: { account: CalendarAccountWithEmail; created: boolean } } | { ok: false; error: ConnectRefusal }> {
    const { maxConnectionsPerUser } = this.deps.limits;
    const live = (await this.list(userId)).filter((a) => a.status !== 'disconnected');
    const known = live.some((a) => a.provider === input.provider && a.accountEmail === input.username);
    // The authoritative count is taken again under the per-user lock when the account is stored.
    if (!known && live.length >= maxConnectionsPerUser) return { ok: false, error: connectionLimitReached(maxConnectionsPerUser) };
    const refusal = await countConnectAttempt(this.deps.attempts, this.deps.limits, userId, 'caldav');
    if (refusal) return { ok: false, error: refusal };
    const result = await connectCalDav(
      {
        calendarAccounts: this.deps.accounts,
        icloudCaldavUrl: this.deps.icloudCaldavUrl,
        maxConnectionsPerUser,
        discover: (discoverInput) => this.deps.discoverCalDav(discoverInput),
        logger: this.deps.logger,
        onConnected: (account, created) => this.deps.workflows.signalConnected(account, !created),
      },
      { userId, ...input },
    );
    if (!result.ok) return { ok: false, error: { code: result.error, message: result.message } };
    const account = await this.owned(userId, result.account.id);
    if (!account) throw new Error(`calendar account ${result.account.id} was stored but cannot be read back`);
    return { ok: true, value: { account, created: result.created } };
  }

  /**
   * Signs a CalDAV or iCloud account in again with a new app password (and, when they changed,
   * user name or server URL): verified by discovery like a connect, then the same account — id,
   * events, bookings — is active again and its bookings are synced. Counts as a connect attempt.
   */
  async reconnectCalDav(userId: string, accountId: string, input: CalDavReconnectInput): Promise<AccountResult<CalendarAccountWithEmail>> {
    const account = await this.owned(userId, accountId);
    if (!account) return refused({ code: 'account_not_found', userId, accountId });
    if (account.status === 'disconnected') return refused({ code: 'account_disconnected' });
    if (account.provider !== 'caldav' && account.provider !== 'icloud') {
      return refused({ code: 'not_reconnectable', message: 'This calendar is reconnected by signing in with its provider again.' });
    }
    const refusal = await countConnectAttempt(this.deps.attempts, this.deps.limits, userId, 'caldav');
    if (refusal) return refused(refusal);
    const serverUrl = input.serverUrl ?? account.serverUrl ?? undefined;
    const result = await reconnectCalDav(
      {
        calendarAccounts: this.deps.accounts,
        icloudCaldavUrl: this.deps.icloudCaldavUrl,
        discover: (discoverInput) => this.deps.discoverCalDav(discoverInput),
        logger: this.deps.logger,
        onConnected: (stored, created) => this.deps.workflows.signalConnected(stored, !created),
      },
      account,
      {
        password: input.password,
        username: input.username ?? account.accountEmail ?? '',
        ...(serverUrl ? { serverUrl } : {}),
      },
    );
    if (!result.ok) {
      if (result.error === 'account_not_found') return refused({ code: 'account_not_found', userId, accountId });
      return refused({ code: result.error, message: result.message });
    }
    const after = await this.owned(userId, accountId);
    return after ? { ok: true, value: after } : refused({ code: 'account_not_found', userId, accountId });
  }

  /**
   * The account's calendars at its provider, the one events go to marked `selected`, those whose
   * busy times count for conflicts `countsForConflicts`.
   */
  async calendars(
    userId: string,
    accountId: string,
  ): Promise<AccountResult<Array<CalendarInfo & { selected: boolean; countsForConflicts: boolean }>>> {
    const account = await this.owned(userId, accountId);
    if (!account) return refused({ code: 'account_not_found', userId, accountId });
    if (account.status === 'disconnected') return refused({ code: 'account_disconnected' });
    const listed = await this.calendarsAtProvider(account);
    if (!listed.ok) return listed;
    const { counted } = this.busyCalendarsOf(account, account.calendarId, account.busyCalendarIds);
    return {
      ok: true,
      value: listed.value.map((c) => ({ ...c, selected: c.id === account.calendarId, countsForConflicts: counted.includes(c.id) })),
    };
  }

  /**
   * Turns sync on or off, chooses the calendar events go to and sets the account's reminders;
   * each change starts what it needs. Reminders beyond the provider's limits change nothing.
   */
  async update(userId: string, accountId: string, change: AccountChange): Promise<AccountResult<CalendarAccountWithEmail>> {
    const before = await this.owned(userId, accountId);
    if (!before) return refused({ code: 'account_not_found', userId, accountId });
    if (before.status === 'disconnected') return refused({ code: 'account_disconnected' });
    const reminders = change.reminders !== undefined && !sameReminders(change.reminders, before.reminders) ? change.reminders : undefined;
    const problem = reminders ? reminderLimitProblem(before.provider, reminders, before.accountEmail) : undefined;
    if (problem) return refused({ code: 'reminders_not_supported', message: problem });
    const newCalendar = change.calendarId !== undefined && change.calendarId !== before.calendarId ? change.calendarId : undefined;
    const busyChoice =
      change.busyCalendarIds === undefined ? before.busyCalendarIds : change.busyCalendarIds && [...new Set(change.busyCalendarIds)];
    const busyChanged = !sameChoice(busyChoice, before.busyCalendarIds);
    // Everything is checked before anything is stored: a refused change changes nothing.
    if (newCalendar !== undefined || (busyChanged && busyChoice !== null)) {
      const listed = await this.calendarsAtProvider(before);
      if (!listed.ok) return listed;
      if (newCalendar !== undefined) {
        const chosen = listed.value.find((c) => c.id === newCalendar);
        if (!chosen) return refused({ code: 'calendar_not_found' });
        if (!chosen.writable) return refused({ code: 'calendar_not_writable', calendarName: chosen.name });
      }
      // Every calendar listed can be read (Google lists those with reader access or more).
      const unreadable = busyChanged && busyChoice ? busyChoice.findIndex((id) => !listed.value.some((c) => c.id === id)) : -1;
      if (unreadable >= 0) return refused({ code: 'busy_calendar_not_found', index: unreadable });
    }
    let resync = false;
    if (newCalendar !== undefined) {
      await this.deps.accounts.setCalendar(accountId, newCalendar);
      resync = true;
    }
    if (newCalendar !== undefined || busyChanged) {
      // The counted calendars change at once (ones no longer counted stop counting, new ones start unread).
      const target = newCalendar ?? before.calendarId;
      await this.deps.busy.chooseCalendars(accountId, busyChoice, this.busyCalendarsOf(before, target, busyChoice));
    }
    if (reminders !== undefined) {
      await this.deps.accounts.setReminders(accountId, reminders);
      resync = true;
    }
    // Every booking's event moves or gets the new reminders: the bulk sync asks each booking workflow to re-sync.
    if (resync) await this.deps.workflows.signalConnected(before, true);
    // (A re-sync reads busy times too.)
    else if (busyChanged) await this.askBusyRead(before);
    if (change.syncEnabled !== undefined && change.syncEnabled !== before.syncEnabled) {
      const after = await this.deps.accounts.setSyncEnabled(accountId, change.syncEnabled);
      // Turned back on: bring the bookings made meanwhile into the calendar.
      if (change.syncEnabled && after) await this.deps.workflows.signalConnected(after, true);
    }
    const after = await this.owned(userId, accountId);
    return after ? { ok: true, value: after } : refused({ code: 'account_not_found', userId, accountId });
  }

  /**
   * Sync stops at once; the account's workflow then removes our events (when asked), revokes
   * the grant and erases the tokens. `changed: false`: it was disconnected already (a second
   * tab, a double click), and nothing more was done.
   */
  async disconnect(
    userId: string,
    accountId: string,
    removeEvents: boolean,
  ): Promise<AccountResult<{ account: CalendarAccountWithEmail; changed: boolean }>> {
    const account = await this.owned(userId, accountId);
    if (!account) return refused({ code: 'account_not_found', userId, accountId });
    if (account.status === 'disconnected') return { ok: true, value: { account, changed: false } };
    if (removeEvents) await this.deps.accounts.markRemovingEvents(account.id);
    else await this.deps.accounts.setSyncEnabled(account.id, false);
    await this.deps.workflows.signalDisconnect(account, removeEvents);
    const after = await this.owned(userId, accountId);
    return after ? { ok: true, value: { account: after, changed: true } } : refused({ code: 'account_not_found', userId, accountId });
  }

  private busyCalendarsOf(account: CalendarAccount, target: string, chosen: string[] | null): CalendarsToRead {
    return busyCalendars({ chosen, target, defaultCalendarId: this.deps.providers.calendar(account.provider).defaultCalendarId });
  }

  /** The account's workflow reads the calendars now counted; if it cannot be asked, its next poll does. */
  private async askBusyRead(account: CalendarAccount): Promise<void> {
    try {
      await this.deps.workflows.signalPush(account.id, 'refresh_busy');
    } catch (err) {
      this.deps.logger.info({ err: err instanceof Error ? err.name : 'error' }, 'busy-time read not signalled; the next poll reads');
    }
  }

  private async calendarsAtProvider(account: CalendarAccount): Promise<AccountResult<CalendarInfo[]>> {
    try {
      return { ok: true, value: await this.deps.listCalendars(account) };
    } catch (err) {
      if (err instanceof SecretUnavailableError)
        return refused({ code: 'account_error', message: accountProblemMessage('secret_unavailable') });
      if (!(err instanceof ProviderError)) throw err;
      if (err.kind === 'invalid_grant') return refused({ code: 'account_needs_reauth' });
      this.deps.logger.info(
        { provider: account.provider, kind: err.kind, status: err.details.status, detail: err.message },
        'calendars not listed',
      );
      return refused({ code: 'provider_unavailable', detail: err.message });
    }
  }
}
