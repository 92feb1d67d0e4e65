import { ApplicationFailure } from '@temporalio/common';
import type { ProviderSlotStore } from '../../src/db/provider-slots';
import { describe, expect, it } from 'vitest';
import { readyAccount, callProvider, type ReadyAccount, type ProviderCallDeps } from '../../src/activities/provider-call';
import { checkCredentials } from '../../src/account-access/credentials';
import type { CalendarAccount, CalendarAccountStatus } from '../../src/db/calendar-accounts';
import { SecretUnavailableError } from '../../src/db/sealed-columns';
import { DecryptionError } from '../../src/crypto/secret-box';
import type { AccountProblemKind } from '../../src/domain/account-health';
import type { AccountErrorDetails } from '../../src/domain/failures';
import { ProviderError, type CalendarInfo, type CalendarProvider, type Credentials, type ProviderRegistry } from '../../src/providers';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const MIN = 60_000;
const BEARER: Credentials = { kind: 'bearer', accessToken: 'token' };
const BASIC: Credentials = { kind: 'basic', username: 'ada', password: 'app-password', serverUrl: 'https://dav.example.com/' };

function account(status: CalendarAccountStatus, tokenLeftMs: number | null, lifetimeMs = 60 * MIN): CalendarAccount {
  const expires = tokenLeftMs === null ? null : NOW + tokenLeftMs;
  return {
    id: 'conn-1',
    userId: 'ada',
    provider: 'google',
    status,
    calendarId: 'primary',
    syncEnabled: true,
    tokenExpiresAt: expires === null ? null : new Date(expires),
    tokenIssuedAt: expires === null ? null : new Date(expires - lifetimeMs),
    tokenVersion: 7,
    lastSyncedAt: null,
    lastError: null,
    createdAt: new Date(NOW - 86_400_000),
    bulkSync: null,
    removingEvents: false,
    reminders: null,
    busyCalendarIds: null,
    eventsNotRemoved: null,
    serverUrl: null,
  };
}

/**
 * A store holding one account (or none). With the row, a request token is asked for as the one
 * statement does: never for an account that is disconnected or needs re-auth, else `tokenTaken`.
 */
const storeWith = (account?: CalendarAccount, credentials: Credentials | null = BEARER, tokenTaken = true) => {
  const load = (id: string) => Promise.resolve(account && id === account.id ? { account, credentials } : undefined);
  const asked: string[] = [];
  return {
    asked,
    getWithCredentials: load,
    getWithCredentialsTakingToken: async (id: string, budgetKey: string) => {
      const loaded = await load(id);
      if (!loaded) return undefined;
      const callable = loaded.account.status !== 'disconnected' && loaded.account.status !== 'needs_reauth';
      if (callable) asked.push(budgetKey);
      return { ...loaded, tokenTaken: callable && tokenTaken };
    },
  };
};

/** Deps whose request slots refuse every call: a provider without a concurrency limit never needs them. */
function deps(account?: CalendarAccount, credentials?: Credentials | null): ProviderCallDeps {
  const provider = { kind: 'google', maxConcurrentRequestsPerUser: undefined } as unknown as CalendarProvider;
  const providers: ProviderRegistry = {
    calendar: () => provider,
    oauth: () => {
      throw new Error('no OAuth in this test');
    },
  };
  const slots: ProviderSlotStore = {
    tryAcquire: () => Promise.reject(new Error('request slots are not used here')),
    release: () => Promise.reject(new Error('request slots are not used here')),
  };
  const budget = { tryTake: () => Promise.resolve(true) };
  return {
    slots,
    budget,
    providers,
    calendarAccounts: storeWith(account, credentials),
    accountHealth: new EpisodeRecorder(),
    now: () => NOW,
  };
}

/** The account's health as the database keeps it: one episode per entry into `error`. */
class EpisodeRecorder {
  kind: string | undefined;
  episode = 0;
  readonly marked: string[] = [];
  markError(_id: string, kind: AccountProblemKind, message: string) {
    this.marked.push(message);
    const began = this.kind === undefined;
    if (began) this.episode += 1;
    this.kind = kind;
    return Promise.resolve({ episode: this.episode, began });
  }
}

const READY: ReadyAccount = {
  connectionId: 'conn-1',
  provider: 'google',
  ctx: { credentials: BEARER, calendarId: 'primary' },
  tokenVersion: 7,
  reminders: null,
  errorKind: null,
  accountCalendarId: 'primary',
};

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

describe('checkCredentials: the one rule for whether an account can be called', () => {
  it('calls an account gone when it is missing or disconnected', async () => {
    expect(await checkCredentials(storeWith(), 'conn-1', NOW)).toEqual({ kind: 'gone' });
    expect(await checkCredentials(storeWith(account('disconnected', 60 * MIN)), 'conn-1', NOW)).toEqual({ kind: 'gone' });
  });

  it('refuses an account that needs reconnecting, even with a token left', async () => {
    expect((await checkCredentials(storeWith(account('needs_reauth', 60 * MIN)), 'conn-1', NOW)).kind).toBe('needs_reauth');
  });

  it('uses an app password whatever the token fields say', async () => {
    const check = await checkCredentials(storeWith(account('active', null), BASIC), 'conn-1', NOW);
    expect(check).toMatchObject({ kind: 'usable', credentials: BASIC });
  });

  it('reports an OAuth token that is missing or due for a refresh as expired', async () => {
    expect((await checkCredentials(storeWith(account('active', 60 * MIN), null), 'conn-1', NOW)).kind).toBe('expired');
    expect((await checkCredentials(storeWith(account('active', 5 * MIN - 1)), 'conn-1', NOW)).kind).toBe('expired');
    expect(await checkCredentials(storeWith(account('active', 5 * MIN)), 'conn-1', NOW)).toMatchObject({
      kind: 'usable',
      credentials: BEARER,
    });
  });

  it('right after a refresh, uses a short-lived token while 30 s are left, not only half its lifetime', async () => {
    const shortLived = account('active', MIN - 1, 2 * MIN);
    expect((await checkCredentials(storeWith(shortLived), 'conn-1', NOW)).kind).toBe('expired');
    expect((await checkCredentials(storeWith(shortLived), 'conn-1', NOW, { justRefreshed: true })).kind).toBe('usable');
    expect((await checkCredentials(storeWith(account('active', 29_999, 2 * MIN)), 'conn-1', NOW, { justRefreshed: true })).kind).toBe(
      'expired',
    );
  });
});

describe('calendarAccount: credentials for an activity, or the failure its workflow acts on', () => {
  it('resolves the account on its current calendar, or the one asked for', async () => {
    expect(await readyAccount(deps(account('active', 60 * MIN)), { connectionId: 'conn-1' })).toEqual({
      ...READY,
      tokenWithRow: { state: 'taken', at: expect.any(Number) },
    });
    const other = await readyAccount(deps(account('active', 60 * MIN)), { connectionId: 'conn-1', calendarId: 'work' });
    expect(other.ctx.calendarId).toBe('work');
  });

  it('fails non-retryably with the type the workflow branches on', async () => {
    const gone = await failureOf(readyAccount(deps(), { connectionId: 'conn-1' }));
    expect([gone.type, gone.nonRetryable, gone.message]).toEqual([
      'ConnectionUnavailable',
      true,
      'calendar connection conn-1 is no longer connected',
    ]);
    const reauth = await failureOf(readyAccount(deps(account('needs_reauth', 60 * MIN)), { connectionId: 'conn-1' }));
    expect([reauth.type, reauth.nonRetryable]).toEqual(['ReauthRequired', true]);
    const expired = await failureOf(readyAccount(deps(account('active', MIN)), { connectionId: 'conn-1' }));
    expect([expired.type, expired.nonRetryable, expired.details]).toEqual(['TokenExpired', true, [{ tokenVersion: 7 }]]);
  });
});

describe('callProvider: one provider call, its failure mapped and audited', () => {
  it('returns what the provider answered, called with the account credentials', async () => {
    const seen: unknown[] = [];
    const result = await callProvider(deps(), READY, (provider, ctx) => {
      seen.push(provider.kind, ctx);
      return Promise.resolve('done');
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['google', READY.ctx]);
  });

  it('turns a rate limit into a retryable failure after the Retry-After, audited as not final', async () => {
    const audits: Array<[string, boolean]> = [];
    const refused = new ProviderError('rate_limited', 'slow down', { status: 429, retryAfterMs: 5_000 });
    const failure = await failureOf(
      callProvider(
        deps(),
        READY,
        () => Promise.reject(refused),
        (message, final) => (audits.push([message, final]), Promise.resolve()),
      ),
    );
    expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual(['RateLimited', false, 5_000]);
    expect(audits).toEqual([['slow down', false]]);
  });

  it('audits a refusal that cannot be retried as final', async () => {
    const audits: Array<[string, boolean]> = [];
    const failure = await failureOf(
      callProvider(
        deps(),
        READY,
        () => Promise.reject(new ProviderError('rejected', 'forbidden')),
        (m, f) => (audits.push([m, f]), Promise.resolve()),
      ),
    );
    expect([failure.type, failure.nonRetryable]).toEqual(['ProviderRejected', true]);
    expect(audits).toEqual([['forbidden', true]]);
  });

  it('does not audit a refused token: it reports the token generation for the workflow to refresh', async () => {
    const audits: unknown[] = [];
    const failure = await failureOf(
      callProvider(
        deps(),
        READY,
        () => Promise.reject(new ProviderError('unauthorized', '401')),
        (m) => (audits.push(m), Promise.resolve()),
      ),
    );
    expect([failure.type, failure.details]).toEqual(['TokenExpired', [{ tokenVersion: 7 }]]);
    expect(audits).toEqual([]);
  });

  it('keeps the provider failure when the audit itself fails', async () => {
    const failure = await failureOf(
      callProvider(
        deps(),
        READY,
        () => Promise.reject(new ProviderError('transient', 'bad gateway')),
        () => Promise.reject(new Error('database down')),
      ),
    );
    expect([failure.type, failure.message]).toEqual(['ProviderUnavailable', 'bad gateway']);
  });
});

describe('callProvider: an account that changed while the call waited for its request budget', () => {
  /** Deps whose budget refuses the first token, and whose account is `after` from the wait on. */
  function waitingDeps(after: { account: CalendarAccount; credentials: Credentials } | undefined): ProviderCallDeps {
    const base = deps(account('active', 60 * MIN));
    const provider = { kind: 'google', requestsPerSecondPerUser: 100 } as unknown as CalendarProvider;
    let takes = 0;
    return {
      ...base,
      providers: { ...base.providers, calendar: () => provider },
      budget: { tryTake: () => Promise.resolve(++takes > 1) },
      calendarAccounts: {
        getWithCredentials: () => Promise.resolve(takes > 1 ? after : { account: account('active', 60 * MIN), credentials: BEARER }),
        getWithCredentialsTakingToken: () => Promise.reject(new Error('the account was readied already')),
      },
    };
  }

  it('sends nothing for an account disconnected meanwhile', async () => {
    const sent: unknown[] = [];
    const failure = await failureOf(
      callProvider(waitingDeps({ account: account('disconnected', 60 * MIN), credentials: BEARER }), READY, (_p, ctx) => {
        sent.push(ctx);
        return Promise.resolve('sent');
      }),
    );
    expect([failure.type, failure.nonRetryable]).toEqual(['ConnectionUnavailable', true]);
    expect(sent).toEqual([]);
  });

  it('sends nothing for an account removed or needing reconnection meanwhile', async () => {
    for (const after of [undefined, { account: account('needs_reauth', 60 * MIN), credentials: BEARER }]) {
      const sent: unknown[] = [];
      await failureOf(callProvider(waitingDeps(after), READY, () => (sent.push(1), Promise.resolve('sent'))));
      expect(sent).toEqual([]);
    }
  });

  it('sends with the token refreshed meanwhile, on the calendar the call was prepared for', async () => {
    const refreshed: Credentials = { kind: 'bearer', accessToken: 'new-token' };
    const current = { ...account('active', 60 * MIN), tokenVersion: 8, calendarId: 'other' };
    const seen: unknown[] = [];
    await callProvider(waitingDeps({ account: current, credentials: refreshed }), READY, (_p, ctx) => {
      seen.push(ctx.credentials, ctx.calendarId);
      return Promise.resolve('sent');
    });
    expect(seen).toEqual([refreshed, 'primary']);
  });
});

describe('callProvider and readyAccount: permanent failures of the account', () => {
  /** Deps whose provider refuses every call with `refusal` and lists `calendars` (or refuses that too). */
  function refusingDeps(refusal: ProviderError, calendars: CalendarInfo[] | ProviderError, ready: ReadyAccount = READY) {
    const base = deps(account('active', 60 * MIN));
    // The account's request budget: every request it gives out, by key.
    const taken: string[] = [];
    const budget = { tryTake: (key: string) => (taken.push(key), Promise.resolve(true)) };
    const provider = {
      kind: 'google',
      requestsPerSecondPerUser: 100,
      listCalendars: () => (calendars instanceof ProviderError ? Promise.reject(calendars) : Promise.resolve(calendars)),
    } as unknown as CalendarProvider;
    const health = new EpisodeRecorder();
    const audited: Array<[string, boolean]> = [];
    const call = () =>
      callProvider(
        { ...base, budget, providers: { ...base.providers, calendar: () => provider }, accountHealth: health },
        ready,
        () => Promise.reject(refusal),
        (message, final) => (audited.push([message, final]), Promise.resolve()),
      );
    return { call, health, audited, taken };
  }
  const notFound = new ProviderError('not_found', 'Google Calendar 404 notFound: Not Found', { status: 404 });
  const forbidden = new ProviderError('rejected', 'Google Calendar 403 forbidden: Forbidden', { status: 403 });
  const primary: CalendarInfo = { id: 'primary', name: 'Ada', primary: true, writable: true };

  it('a calendar the account no longer lists: the account is in error, the first failure names the one notice', async () => {
    const { call, health, audited } = refusingDeps(notFound, [{ ...primary, id: 'other' }]);
    const first = await failureOf(call());
    expect([first.type, first.nonRetryable]).toEqual(['AccountError', true]);
    expect(first.message).toMatch(/no longer exists.*Choose another calendar/);
    const details = first.details?.[0] as AccountErrorDetails;
    expect(details.kind).toBe('calendar_not_found');
    expect(details.notificationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The same episode: no second notice.
    const second = await failureOf(call());
    expect(second.details?.[0]).toEqual({ kind: 'calendar_not_found' });
    expect(health.marked).toHaveLength(2);
    expect(audited).toEqual([
      [first.message, true],
      [first.message, true],
    ]);
  });

  it('a read-only calendar is a lost permission; a refused calendar list is the account shut', async () => {
    const readOnly = await failureOf(refusingDeps(forbidden, [{ ...primary, writable: false }]).call());
    expect(readOnly.details?.[0]).toMatchObject({ kind: 'calendar_forbidden' });
    const shut = await failureOf(refusingDeps(forbidden, forbidden).call());
    expect(shut.details?.[0]).toMatchObject({ kind: 'account_disabled' });
  });

  it('the provider saying the account is disabled settles it, without asking for the calendar list', async () => {
    const disabled = new ProviderError('account_disabled', 'Google Calendar 403 notACalendarUser: The user must be signed up', {
      status: 403,
      reason: 'notACalendarUser',
    });
    const { call, taken } = refusingDeps(disabled, new ProviderError('transient', 'the calendar list was not to be asked'));
    const failure = await failureOf(call());
    expect([failure.type, failure.nonRetryable]).toEqual(['AccountError', true]);
    expect(failure.details?.[0]).toMatchObject({ kind: 'account_disabled' });
    expect(failure.message).toMatch(/provider says this account is disabled/);
    expect(taken).toHaveLength(1);
  });

  it("the calendar list asked after a refusal is paced by the account's request budget, like the call itself", async () => {
    const { call, taken } = refusingDeps(forbidden, [{ ...primary, writable: false }]);
    expect((await failureOf(call())).details?.[0]).toMatchObject({ kind: 'calendar_forbidden' });
    expect(taken).toEqual(['connection:conn-1', 'connection:conn-1']);
  });

  it('another calendar than the one events go to (read for busy times) being gone is its own refusal, not an account problem', async () => {
    const other = { ...READY, ctx: { ...READY.ctx, calendarId: 'family' } };
    const { call, health } = refusingDeps(notFound, [primary], other);
    const failure = await failureOf(call());
    expect([failure.type, failure.nonRetryable]).toEqual(['ProviderRejected', true]);
    expect(health.marked).toEqual([]);
    // The account itself disabled is the account's problem whichever calendar was asked.
    const disabled = new ProviderError('account_disabled', 'Microsoft Graph 404 MailboxNotEnabledForRESTAPI', { status: 404 });
    expect((await failureOf(refusingDeps(disabled, [primary], other).call())).details?.[0]).toMatchObject({ kind: 'account_disabled' });
  });

  it('a refusal about one event leaves the account alone: its calendar is listed and writable', async () => {
    const { call, health } = refusingDeps(notFound, [primary]);
    const failure = await failureOf(call());
    expect([failure.type, failure.nonRetryable]).toEqual(['ProviderRejected', true]);
    expect(health.marked).toEqual([]);
    // Nor is a bad request a reason to look.
    const bad = refusingDeps(new ProviderError('rejected', 'Google Calendar 400 invalid', { status: 400 }), [{ ...primary, id: 'x' }]);
    expect((await failureOf(bad.call())).type).toBe('ProviderRejected');
    expect(bad.health.marked).toEqual([]);
  });

  it('a secret whose key is gone fails for good with the account in error, never a retried surprise', async () => {
    const health = new EpisodeRecorder();
    const unopenable = () =>
      Promise.reject(new SecretUnavailableError('conn-1', 'access_token', new DecryptionError('unknown_key', 'no key "old"')));
    const store = { getWithCredentials: unopenable, getWithCredentialsTakingToken: unopenable };
    const failure = await failureOf(
      readyAccount({ ...deps(), calendarAccounts: store, accountHealth: health }, { connectionId: 'conn-1' }),
    );
    expect([failure.type, failure.nonRetryable]).toEqual(['AccountError', true]);
    expect(failure.details?.[0]).toMatchObject({ kind: 'secret_unavailable', notificationId: expect.any(String) });
    expect(failure.message).not.toContain('old');
    expect(health.kind).toBe('secret_unavailable');
  });
});

describe('readyAccount and callProvider: the request token asked for with the account row', () => {
  /** Deps on one active account whose row comes with a token (or not), a budget that gives `later` for every later ask, and a provider paced at 100/s. */
  function tokenDeps(options: { withRow: boolean; later: boolean; after?: CalendarAccount; tokenLeftMs?: number; lifetimeMs?: number }) {
    const base = deps();
    const store = storeWith(account('active', options.tokenLeftMs ?? 60 * MIN, options.lifetimeMs), BEARER, options.withRow);
    const rereads: string[] = [];
    const provider = { kind: 'google', requestsPerSecondPerUser: 100 } as unknown as CalendarProvider;
    const budgetAsks: string[] = [];
    const d: ProviderCallDeps = {
      ...base,
      providers: { ...base.providers, calendar: () => provider },
      budget: { tryTake: (key: string) => (budgetAsks.push(key), Promise.resolve(options.later)) },
      calendarAccounts: {
        getWithCredentialsTakingToken: store.getWithCredentialsTakingToken,
        getWithCredentials: (id: string) => {
          rereads.push(id);
          const after = options.after ?? account('active', 60 * MIN);
          return Promise.resolve({ account: after, credentials: BEARER });
        },
      },
    };
    return { deps: d, asked: store.asked, budgetAsks, rereads };
  }
  const send = (sent: unknown[]) => (_p: CalendarProvider, ctx: { calendarId: string }) => (
    sent.push(ctx.calendarId),
    Promise.resolve('sent')
  );

  it('the first call spends the token taken with the row; later calls, copies of the account included, take their own', async () => {
    const { deps: d, asked, budgetAsks, rereads } = tokenDeps({ withRow: true, later: true });
    const ready = await readyAccount(d, { connectionId: 'conn-1' });
    expect(asked).toEqual(['connection:conn-1']);
    const sent: unknown[] = [];
    await callProvider(d, { ...ready, ctx: { ...ready.ctx, calendarId: 'family' } }, send(sent));
    expect(budgetAsks).toEqual([]);
    await callProvider(d, ready, send(sent));
    await callProvider(d, { ...ready, ctx: { ...ready.ctx, calendarId: 'work' } }, send(sent));
    expect(budgetAsks).toEqual(['connection:conn-1', 'connection:conn-1']);
    expect(sent).toEqual(['family', 'primary', 'work']);
    // No call waited: the account as loaded was used.
    expect(rereads).toEqual([]);
  });

  it('refused with the row, the call waits for a token and reads the account again: nothing goes out for one disconnected meanwhile', async () => {
    const { deps: d, budgetAsks, rereads } = tokenDeps({ withRow: false, later: true, after: account('disconnected', 60 * MIN) });
    const ready = await readyAccount(d, { connectionId: 'conn-1' });
    expect(ready.tokenWithRow?.state).toBe('refused');
    const sent: unknown[] = [];
    const failure = await failureOf(callProvider(d, ready, send(sent)));
    expect([failure.type, failure.nonRetryable]).toEqual(['ConnectionUnavailable', true]);
    expect(budgetAsks).toEqual(['connection:conn-1']);
    expect(rereads).toEqual(['conn-1']);
    expect(sent).toEqual([]);
  });

  it('refused with the row, the wait is counted from that ask: a budget that stays spent fails retryably, nothing sent', async () => {
    const { deps: d } = tokenDeps({ withRow: false, later: false });
    const ready = await readyAccount(d, { connectionId: 'conn-1' });
    // As if the row had been read 20 s ago: past the 15 s the budget is waited for.
    const stale = { ...ready, tokenWithRow: { state: 'refused' as const, at: Date.now() - 20_000 } };
    const sent: unknown[] = [];
    const failure = await failureOf(callProvider(d, stale, send(sent)));
    expect([failure.type, failure.nonRetryable, failure.message]).toEqual([
      'ConcurrencyLimited',
      false,
      'the request budget of connection:conn-1 stayed spent',
    ]);
    expect(sent).toEqual([]);
  });

  it('asks no token for an account that needs reconnecting or is gone', async () => {
    for (const status of ['needs_reauth', 'disconnected'] as const) {
      const store = storeWith(account(status, 60 * MIN));
      await failureOf(readyAccount({ ...deps(), calendarAccounts: store }, { connectionId: 'conn-1' }));
      expect(store.asked).toEqual([]);
    }
  });

  it('right after a refresh, a short-lived token is used with the token taken with its row', async () => {
    const { deps: d, budgetAsks } = tokenDeps({ withRow: true, later: true, tokenLeftMs: MIN - 1, lifetimeMs: 2 * MIN });
    expect((await failureOf(readyAccount(d, { connectionId: 'conn-1' }))).type).toBe('TokenExpired');
    const ready = await readyAccount(d, { connectionId: 'conn-1', tokenJustRefreshed: true });
    expect(ready.tokenWithRow?.state).toBe('taken');
    const sent: unknown[] = [];
    await callProvider(d, ready, send(sent));
    expect(sent).toEqual(['primary']);
    expect(budgetAsks).toEqual([]);
  });
});
