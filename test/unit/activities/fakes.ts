// In-memory stand-ins for what activities depend on: the repositories (src/db), a calendar
// provider and its OAuth side. They keep what was written so tests can assert on it; a method no
// activity under test should call throws, so an unexpected dependency shows up as a failure.
import type { InvitationSendStore } from '../../../src/db/invitation-sends';
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { ActivityDeps } from '../../../src/activities';
import { ChannelSecrets } from '../../../src/crypto/channel-secret';
import type { AccountHealthStore, ErrorEpisode } from '../../../src/db/account-health';
import type { BookingStore, PreparedReconcile, ReconcilePreparation } from '../../../src/db/bookings';
import type { AccountProblemKind } from '../../../src/domain/account-health';
import type { BulkSyncStore } from '../../../src/db/bulk-sync';
import type { BusyConflictStore } from '../../../src/db/busy-conflicts';
import type { BusyStore, ReadState } from '../../../src/db/busy-times';
import type { CalendarEventStore, EventFailure, EventOutcome } from '../../../src/db/calendar-events';
import type { CalendarAccount, CalendarAccountStore, LockedCalendarAccount, TokenUpdate } from '../../../src/db/calendar-accounts';
import type { EditDetection, ExternalEditStore } from '../../../src/db/external-edits';
import type { NotificationStore } from '../../../src/db/notifications';
import type { ProviderChannel, ProviderChannelStore } from '../../../src/db/provider-channels';
import type { ProviderBudgetStore, ProviderPaces } from '../../../src/db/provider-budget';
import type { ProviderSlotStore, SlotLease } from '../../../src/db/provider-slots';
import type { RetentionStore } from '../../../src/db/retention';
import type { UserErasureStore } from '../../../src/db/user-erasure';
import type { SyncLogEntry, SyncLogStore } from '../../../src/db/sync-log';
import type { BookingProjection, BookingStatus } from '../../../src/domain/booking';
import type { CalendarsToRead } from '../../../src/domain/busy-calendars';
import type { BusyConflict, ExternalEdit } from '../../../src/domain/busy-reports';
import { createLogger } from '../../../src/logging';
import type {
  AccessContext,
  BusyWindow,
  CalendarChanges,
  CalendarProvider,
  Credentials,
  DeleteOutcome,
  EventKey,
  EventSpec,
  OAuthProvider,
  OpenedPushChannel,
  ProviderKind,
  ProviderRegistry,
  PushChannelRequest,
  PushSupport,
  TokenSet,
  UpsertOutcome,
} from '../../../src/providers';

export const NOW = Date.parse('2030-01-01T12:00:00Z');
export const HOUR = 3_600_000;

const unused = (what: string) => (): never => {
  throw new Error(`${what} is not used by the activities under test`);
};

/** A calendar account row: active, on `primary`, with a bearer token good for another hour. */
export function accountRow(overrides: Partial<CalendarAccount> = {}): CalendarAccount {
  return {
    id: 'conn-1',
    userId: 'ada',
    provider: 'google',
    status: 'active',
    calendarId: 'primary',
    syncEnabled: true,
    tokenExpiresAt: new Date(NOW + HOUR),
    tokenIssuedAt: new Date(NOW),
    tokenVersion: 4,
    lastSyncedAt: null,
    lastError: null,
    createdAt: new Date(NOW - 24 * HOUR),
    bulkSync: null,
    removingEvents: false,
    reminders: null,
    busyCalendarIds: null,
    eventsNotRemoved: null,
    serverUrl: null,
    ...overrides,
  };
}

export class FakeSyncLog implements SyncLogStore {
  readonly entries: SyncLogEntry[] = [];
  /** Set to make every append fail, as a database outage would. */
  failWith: Error | undefined;

  append(entries: SyncLogEntry[]): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.entries.push(...entries);
    return Promise.resolve();
  }
}

interface StoredAccount {
  account: CalendarAccount;
  credentials: Credentials | null;
  refreshToken: string | null;
}

/** Accounts' health: what was marked, and whether a heal finds an error to end (set by the test). */
export class FakeAccountHealth implements AccountHealthStore {
  readonly marked: Array<{ id: string; kind: AccountProblemKind }> = [];
  inError = false;
  markError(id: string, kind: AccountProblemKind): Promise<ErrorEpisode | undefined> {
    this.marked.push({ id, kind });
    const began = !this.inError;
    this.inError = true;
    return Promise.resolve({ episode: this.marked.length, began });
  }
  /** Every heal asked for: the causes it may end, and the calendar the read was of. */
  readonly heals: Array<{ kinds: readonly AccountProblemKind[]; calendarId: string }> = [];
  heal(_id: string, kinds: readonly AccountProblemKind[], calendarId: string): Promise<boolean> {
    this.heals.push({ kinds, calendarId });
    const healed = this.inError;
    this.inError = false;
    return Promise.resolve(healed);
  }
}

/** Calendar accounts by id; the lock is a no-op (one caller at a time in a unit test). */
export class FakeCalendarAccounts implements CalendarAccountStore {
  readonly rows = new Map<string, StoredAccount>();

  constructor(
    private readonly syncLog: FakeSyncLog,
    private readonly now: () => number,
    private readonly budget: ProviderBudgetStore = new FakeBudget(),
  ) {}

  put(account: CalendarAccount, credentials: Credentials | null = { kind: 'bearer', accessToken: 'access-1' }, refreshToken = 'refresh-1') {
    this.rows.set(account.id, { account, credentials, refreshToken });
  }

  row(id: string): CalendarAccount {
    const stored = this.rows.get(id);
    if (!stored) throw new Error(`no account ${id}`);
    return stored.account;
  }

  get(id: string): Promise<CalendarAccount | undefined> {
    return Promise.resolve(this.rows.get(id)?.account);
  }

  getWithCredentials(id: string): Promise<{ account: CalendarAccount; credentials: Credentials | null } | undefined> {
    const stored = this.rows.get(id);
    return Promise.resolve(stored && { account: stored.account, credentials: stored.credentials });
  }

  /** As the one statement does it: the token comes from `budget`, never for a disconnected account or one that needs re-auth. */
  async getWithCredentialsTakingToken(
    id: string,
    budgetKey: string,
    paces: ProviderPaces,
  ): Promise<{ account: CalendarAccount; credentials: Credentials | null; tokenTaken: boolean } | undefined> {
    const loaded = await this.getWithCredentials(id);
    if (!loaded) return undefined;
    const { status, provider } = loaded.account;
    const { perSecond, burst } = paces[provider];
    const callable = status !== 'disconnected' && status !== 'needs_reauth';
    return { ...loaded, tokenTaken: callable && (await this.budget.tryTake(budgetKey, perSecond, burst)) };
  }

  listForUsers(userIds: string[]): Promise<CalendarAccount[]> {
    const rows = [...this.rows.values()].map((r) => r.account);
    return Promise.resolve(rows.filter((c) => userIds.includes(c.userId) && c.status !== 'disconnected'));
  }

  async withLockedAccount<T>(id: string, work: (locked: LockedCalendarAccount) => Promise<T>): Promise<T> {
    const stored = this.rows.get(id);
    if (!stored) throw new Error(`no account ${id}`);
    return work({
      account: stored.account,
      refreshToken: stored.refreshToken,
      inLock: {
        storeTokens: (t: TokenUpdate) => {
          const tokenVersion = stored.account.tokenVersion + 1;
          stored.account = { ...stored.account, tokenVersion, tokenExpiresAt: t.expiresAt, tokenIssuedAt: new Date(this.now()) };
          stored.credentials = { kind: 'bearer', accessToken: t.accessToken };
          stored.refreshToken = t.refreshToken ?? stored.refreshToken;
          return Promise.resolve(tokenVersion);
        },
        markNeedsReauth: (lastError: string) => {
          stored.account = { ...stored.account, status: 'needs_reauth', lastError };
          return Promise.resolve();
        },
        appendSyncLog: (entries: SyncLogEntry[]) => this.syncLog.append(entries),
      },
    });
  }

  upsertOAuth = unused('calendarAccounts.upsertOAuth');
  listForUserWithEmail = unused('calendarAccounts.listForUserWithEmail');
  upsertCalDav = unused('calendarAccounts.upsertCalDav');
  reconnectCalDav = unused('calendarAccounts.reconnectCalDav');
  setSyncEnabled = unused('calendarAccounts.setSyncEnabled');
  setCalendar = unused('calendarAccounts.setCalendar');
  setReminders = unused('calendarAccounts.setReminders');
  markRemovingEvents = unused('calendarAccounts.markRemovingEvents');
  revocableToken: CalendarAccountStore['revocableToken'] = unused('calendarAccounts.revocableToken');
  markDisconnected: CalendarAccountStore['markDisconnected'] = unused('calendarAccounts.markDisconnected');
}

export class FakeCalendarEvents implements CalendarEventStore {
  readonly outcomes: EventOutcome[] = [];
  readonly failures: EventFailure[] = [];

  recordOutcome(o: EventOutcome): Promise<{ bookingChangedAt: Date | null }> {
    this.outcomes.push(o);
    return Promise.resolve({ bookingChangedAt: new Date(NOW - 1_000) });
  }

  recordFailure(o: EventFailure): Promise<void> {
    this.failures.push(o);
    return Promise.resolve();
  }

  toRemove = unused('calendarEvents.toRemove');
  leftInCalendar: CalendarEventStore['leftInCalendar'] = unused('calendarEvents.leftInCalendar');
}

/** Busy-time state of each account and calendar; `applyRead` answers with the edits a test queued. */
export class FakeBusy implements BusyStore {
  /** Read state by `connectionId|calendarId`. */
  readonly states = new Map<string, Omit<ReadState, 'startedAt'>>();
  /** The user's choice of calendars per account (absent: the default). */
  readonly chosen = new Map<string, string[]>();
  readonly counted: Array<{ connectionId: string } & CalendarsToRead> = [];
  readonly applied: EditDetection[] = [];
  readonly errors: Array<{ connectionId: string; calendarId: string; message: string; final: boolean }> = [];
  /** What the next reads judge as the user's edits of our events. */
  edits: ExternalEdit[] = [];
  /** The database clock as a read begins. */
  readonly startedAt = new Date(NOW - 500);

  chosenCalendars(connectionId: string): Promise<string[] | null> {
    return Promise.resolve(this.chosen.get(connectionId) ?? null);
  }

  countCalendars(connectionId: string, calendars: CalendarsToRead): Promise<void> {
    this.counted.push({ connectionId, ...calendars });
    return Promise.resolve();
  }

  readState(connectionId: string, calendarId: string): Promise<ReadState> {
    const known = this.states.get(`${connectionId}|${calendarId}`);
    const empty = { cursor: null, window: null, fullReadAt: null, previousStartedAt: null };
    return Promise.resolve({ startedAt: this.startedAt, ...(known ?? empty) });
  }

  applyRead(d: EditDetection): Promise<ExternalEdit[]> {
    this.applied.push(d);
    return Promise.resolve(this.edits.filter((e) => e.connectionId === d.connectionId));
  }

  recordError(connectionId: string, calendarId: string, message: string, final = false): Promise<void> {
    this.errors.push({ connectionId, calendarId, message, final });
    return Promise.resolve();
  }

  chooseCalendars = unused('busy.chooseCalendars');
  forUser = unused('busy.forUser');
}

export class FakeBusyConflicts implements BusyConflictStore {
  conflicts: BusyConflict[] = [];
  readonly reported: Array<{ bookingId: string; busyStart: string; busyEnd: string }> = [];

  unreported(connectionId: string, userId: string): Promise<BusyConflict[]> {
    return Promise.resolve(this.conflicts.filter((c) => c.connectionId === connectionId && c.userId === userId));
  }

  markReported(_connectionId: string, conflicts: Array<{ bookingId: string; busyStart: string; busyEnd: string }>): Promise<void> {
    this.reported.push(...conflicts);
    return Promise.resolve();
  }
}

export class FakeExternalEdits implements ExternalEditStore {
  readonly reported: Array<{ bookingId: string; changedAt: string }> = [];

  markReported(_connectionId: string, edits: Array<{ bookingId: string; changedAt: string }>): Promise<void> {
    this.reported.push(...edits);
    return Promise.resolve();
  }

  statesOf = unused('externalEdits.statesOf');
}

export class FakeChannels implements ProviderChannelStore {
  readonly rows = new Map<string, ProviderChannel>();
  readonly closed = new Set<string>();
  /** Set to make `add` fail, as a database outage would. */
  failAddWith: Error | undefined;

  add(c: ProviderChannel): Promise<void> {
    if (this.failAddWith) return Promise.reject(this.failAddWith);
    this.rows.set(c.id, c);
    return Promise.resolve();
  }

  private open(): ProviderChannel[] {
    return [...this.rows.values()].filter((c) => !this.closed.has(c.id));
  }

  findOpen(provider: string, externalId: string): Promise<ProviderChannel | undefined> {
    return Promise.resolve(this.open().find((c) => c.provider === provider && c.externalId === externalId));
  }

  listOpen(connectionId: string): Promise<ProviderChannel[]> {
    return Promise.resolve(this.open().filter((c) => c.connectionId === connectionId));
  }

  markClosed(id: string): Promise<void> {
    this.closed.add(id);
    return Promise.resolve();
  }
}

/** A request budget that never runs out, counting the tokens taken per key. */
export class FakeBudget implements ProviderBudgetStore {
  readonly taken = new Map<string, number>();

  tryTake(key: string): Promise<boolean> {
    this.taken.set(key, (this.taken.get(key) ?? 0) + 1);
    return Promise.resolve(true);
  }
}

/** Request slots counted in memory: how many are held now, and the most ever held at once per key. */
export class FakeSlots implements ProviderSlotStore {
  readonly held = new Map<string, number>();
  readonly peak = new Map<string, number>();

  tryAcquire(key: string, slots: number): Promise<SlotLease | undefined> {
    const n = this.held.get(key) ?? 0;
    if (n >= slots) return Promise.resolve(undefined);
    this.held.set(key, n + 1);
    this.peak.set(key, Math.max(this.peak.get(key) ?? 0, n + 1));
    return Promise.resolve({ key, slot: n, holder: `holder-${n}` });
  }

  release(lease: SlotLease): Promise<void> {
    this.held.set(lease.key, (this.held.get(lease.key) ?? 1) - 1);
    return Promise.resolve();
  }
}

export class FakeBookings implements BookingStore {
  readonly projections: BookingProjection[] = [];
  readonly statuses = new Map<string, { status: BookingStatus; revision: number }>();
  /** Every preparation asked for: one statement each in PostgreSQL. */
  readonly preparations: ReconcilePreparation[] = [];

  constructor(private readonly accounts: Pick<CalendarAccountStore, 'listForUsers'>) {}

  /** As the one statement does it: a prior of a first pass saves and lists nothing. */
  async prepareReconcile(input: ReconcilePreparation): Promise<PreparedReconcile> {
    this.preparations.push(input);
    const prior = input.firstPass ? (this.statuses.get(input.bookingId) ?? null) : null;
    if (prior) return { prior, accounts: [] };
    if (input.projection) this.projections.push(input.projection);
    return { prior: null, accounts: await this.accounts.listForUsers(input.userIds) };
  }

  saveProjection(b: BookingProjection): Promise<void> {
    this.projections.push(b);
    return Promise.resolve();
  }

  loadStatus(bookingId: string): Promise<{ status: BookingStatus; revision: number } | null> {
    return Promise.resolve(this.statuses.get(bookingId) ?? null);
  }

  loadView = unused('bookings.loadView');
  countOpen = unused('bookings.countOpen');
}

class UnusedBulkSync implements BulkSyncStore {
  pageConfirmedFutureBookings = unused('bulkSync.pageConfirmedFutureBookings');
  countConfirmedFutureBookings = unused('bulkSync.countConfirmedFutureBookings');
  saveProgress = unused('bulkSync.saveProgress');
}

class UnusedNotifications implements NotificationStore {
  record = unused('notifications.record');
  get = unused('notifications.get');
  attemptFailed = unused('notifications.attemptFailed');
  delivered = unused('notifications.delivered');
  failed = unused('notifications.failed');
  page = unused('notifications.page');
  reopen = unused('notifications.reopen');
}

class UnusedInvitationSends implements InvitationSendStore {
  wasSent = unused('invitationSends.wasSent');
  recordSent = unused('invitationSends.recordSent');
}

class UnusedRetention implements RetentionStore {
  deleteBatch = unused('retention.deleteBatch');
}

class UnusedUserErasures implements UserErasureStore {
  find = unused('userErasures.find');
  begin = unused('userErasures.begin');
  liveAccounts = unused('userErasures.liveAccounts');
  bookings = unused('userErasures.bookings');
  erase = unused('userErasures.erase');
}

/** Push channels of a fake provider: records what was opened and closed. */
export class FakePush implements PushSupport {
  readonly maxLifetimeMs = 7 * 24 * HOUR;
  readonly opened: PushChannelRequest[] = [];
  readonly closed: Array<{ channelId: string; externalId: string; resourceId?: string }> = [];
  onOpen = (request: PushChannelRequest): Promise<OpenedPushChannel> =>
    Promise.resolve({ externalId: `sub-${request.channelId}`, expiresAt: request.expiresAt });

  openChannel(_ctx: AccessContext, request: PushChannelRequest): Promise<OpenedPushChannel> {
    this.opened.push(request);
    return this.onOpen(request);
  }

  closeChannel(_ctx: AccessContext, channel: { channelId: string; externalId: string; resourceId?: string }): Promise<void> {
    this.closed.push(channel);
    return Promise.resolve();
  }
}

/**
 * A calendar provider whose answers a test sets: by default an upsert creates (or updates the
 * known event), a delete deletes, and a read finds nothing. Each call is recorded with its context.
 */
export class FakeCalendarProvider implements CalendarProvider {
  readonly requestsPerSecondPerUser = 10;
  readonly calls: Array<{ method: string; ctx: AccessContext; args: unknown[] }> = [];

  onUpsert = (event: EventSpec, known: { externalEventId?: string }): Promise<UpsertOutcome> =>
    Promise.resolve(
      known.externalEventId
        ? { externalEventId: known.externalEventId, etag: '"2"', action: 'updated' }
        : { externalEventId: `evt-${event.key.bookingId}`, etag: '"1"', action: 'created' },
    );
  onDelete = (_key: EventKey, _known: { externalEventId?: string }): Promise<DeleteOutcome> => Promise.resolve({ action: 'deleted' });
  onReadChanges = (_window: BusyWindow, _cursor?: string, _calendarId?: string): Promise<CalendarChanges> =>
    Promise.resolve({ mode: 'full', cursorExpired: false, items: [], cursor: 'cursor-1' });
  /** Where the account's default calendar is listed, for providers that have one. */
  defaultCalendarId?: string;

  constructor(
    readonly kind: ProviderKind,
    readonly push?: PushSupport,
    readonly maxConcurrentRequestsPerUser?: number,
  ) {}

  upsertEvent(ctx: AccessContext, event: EventSpec, known: { externalEventId?: string }): Promise<UpsertOutcome> {
    this.calls.push({ method: 'upsertEvent', ctx, args: [event, known] });
    return this.onUpsert(event, known);
  }

  deleteEvent(ctx: AccessContext, key: EventKey, known: { externalEventId?: string }): Promise<DeleteOutcome> {
    this.calls.push({ method: 'deleteEvent', ctx, args: [key, known] });
    return this.onDelete(key, known);
  }

  readChanges(ctx: AccessContext, window: BusyWindow, cursor?: string): Promise<CalendarChanges> {
    this.calls.push({ method: 'readChanges', ctx, args: [window, cursor] });
    return this.onReadChanges(window, cursor, ctx.calendarId);
  }

  listCalendars: CalendarProvider['listCalendars'] = unused('provider.listCalendars');
}

/** The OAuth side of a fake provider: only token refresh, answered as the test sets. */
export class FakeOAuth implements OAuthProvider {
  readonly scopes = ['calendar'];
  readonly refreshedWith: string[] = [];
  onRefresh = (_refreshToken: string): Promise<TokenSet> =>
    Promise.resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: new Date(NOW + HOUR) });

  constructor(readonly kind: ProviderKind) {}

  refresh(refreshToken: string): Promise<TokenSet> {
    this.refreshedWith.push(refreshToken);
    return this.onRefresh(refreshToken);
  }

  authorizeUrl = unused('oauth.authorizeUrl');
  exchangeCode = unused('oauth.exchangeCode');
  identifyAccount = unused('oauth.identifyAccount');
  missingScopes = unused('oauth.missingScopes');
  revoke = unused('oauth.revoke');
}

export const channelSecrets = new ChannelSecrets([{ id: 'k1', key: Buffer.alloc(32, 7) }]);

/** Everything one test's activities run against: the deps to build them with, and the fakes behind them. */
export function fakeWorld(options: { push?: boolean } = {}) {
  const now = () => NOW;
  const syncLog = new FakeSyncLog();
  const budget = new FakeBudget();
  const calendarAccounts = new FakeCalendarAccounts(syncLog, now, budget);
  const pushSupport = new FakePush();
  const google = new FakeCalendarProvider('google', pushSupport);
  google.defaultCalendarId = 'primary';
  const microsoft = new FakeCalendarProvider('microsoft', undefined, 4);
  const caldav = new FakeCalendarProvider('caldav');
  const oauth = new FakeOAuth('google');
  const providers: ProviderRegistry = {
    calendar: (kind) => (kind === 'google' ? google : kind === 'microsoft' ? microsoft : caldav),
    oauth: (kind) => {
      if (kind !== 'google') throw new Error(`no ${kind} OAuth in these tests`);
      return oauth;
    },
  };
  const repositories = {
    accountHealth: new FakeAccountHealth(),
    syncLog,
    calendarAccounts,
    calendarEvents: new FakeCalendarEvents(),
    busy: new FakeBusy(),
    busyConflicts: new FakeBusyConflicts(),
    externalEdits: new FakeExternalEdits(),
    channels: new FakeChannels(),
    slots: new FakeSlots(),
    budget,
    bookings: new FakeBookings(calendarAccounts),
  };
  const deps: ActivityDeps = {
    ...repositories,
    bulkSync: new UnusedBulkSync(),
    notifications: new UnusedNotifications(),
    invitationSends: new UnusedInvitationSends(),
    retention: new UnusedRetention(),
    userErasures: new UnusedUserErasures(),
    providers,
    reminders: [{ method: 'popup', minutes: 15 }],
    logger: createLogger('silent'),
    push: options.push === false ? undefined : { publicBaseUrl: 'https://sync.example.com', secrets: channelSecrets },
    now,
  };
  return { ...repositories, google, microsoft, caldav, pushSupport, oauth, deps };
}

/** The ApplicationFailure an activity threw (fails the test when it resolved or threw something else). */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

type Activity = (...args: never[]) => Promise<unknown>;

/** Runs activities in a mock activity context (`Context.current()` answers with its info). */
export interface ActivityEnv {
  readonly mock: MockActivityEnvironment;
  /** Runs `activities[name]`: called on its object, and with the activity's own argument and result types. */
  run<T extends Record<K, Activity>, K extends keyof T>(
    activities: T,
    name: K,
    ...args: Parameters<T[K]>
  ): Promise<Awaited<ReturnType<T[K]>>>;
}

/** A mock activity context (attempt and the rest of `info` as given) whose worker log is silent: failures are what these tests expect. */
export function activityEnv(info: Partial<Info> = {}): ActivityEnv {
  const mock = new MockActivityEnvironment(info, { logger: new DefaultLogger('TRACE', () => undefined) });
  async function run<T extends Record<K, Activity>, K extends keyof T>(
    activities: T,
    name: K,
    ...args: Parameters<T[K]>
  ): Promise<Awaited<ReturnType<T[K]>>> {
    const result: unknown = await mock.run((...a: Parameters<T[K]>) => activities[name](...a), ...args);
    return result as Awaited<ReturnType<T[K]>>;
  }
  return { mock, run };
}
