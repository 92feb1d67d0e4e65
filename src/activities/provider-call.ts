import { SpanStatusCode, trace } from '@opentelemetry/api';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { checkCredentials, type CredentialCheck } from '../account-access/credentials';
import type { ProviderPaces } from '../db/provider-budget';
import type { AccountProblemKind } from '../domain/account-health';
import type { Reminder } from '../events/reminders';
import { ProviderError, type AccessContext, type CalendarProvider, type ProviderKind } from '../providers/types';
import { accountFailure, diagnoseRefusal, secretProblem } from './account-health';
import { requestPace, takeRequestToken, withRequestSlot } from './concurrency';
import type { ActivityDeps } from './deps';
import { connectionUnavailable, reauthRequired, tokenExpired, toActivityFailure } from './failures';
import { TRACER_NAME } from '../telemetry/tracing';

export interface AccountInput {
  connectionId: string;
  /** Right after a refresh: use the new token even if it is short-lived (see CalendarEventInput). */
  tokenJustRefreshed?: boolean;
  /** The calendar to act on, when it is not the account's current one. */
  calendarId?: string;
}

/** A calendar account ready for provider calls: which provider, and the credentials to act with. */
export interface ReadyAccount {
  connectionId: string;
  provider: ProviderKind;
  ctx: AccessContext;
  /** The token generation in `ctx`, which a refused token is reported with. */
  tokenVersion: number;
  /** The account's own reminders; null: the deployment's EVENT_REMINDERS. */
  reminders: Reminder[] | null;
  /** Why the account is in `error`, when it is (null: it is not, or for no known cause). */
  errorKind: AccountProblemKind | null;
  /** The calendar events are written to, as the account was loaded: only its refusals can be calendar problems of the account. */
  accountCalendarId: string;
  /** The request token asked for with the account's row, for the first call made with it. */
  tokenWithRow?: TokenWithRow;
}

/**
 * A request token asked for in the round trip that loaded the account (`at`), and whether it was
 * taken. The first call made with the account spends it (or, refused, waits on from there);
 * copies of a ReadyAccount share this object, so it is spent once.
 */
export interface TokenWithRow {
  state: 'taken' | 'refused' | 'spent';
  at: number;
}

/** What a provider call is asked to do, given the account's adapter and credentials. */
export type ProviderOperation<T> = (provider: CalendarProvider, ctx: AccessContext) => Promise<T>;

/**
 * Audits a failed call: `final` when Temporal will not retry it. Best effort: a failure to audit
 * never hides the provider's failure.
 */
export type FailureAudit = (message: string, final: boolean) => Promise<void>;

/** What the pipeline uses of the activities' dependencies. */
export type ProviderCallDeps = Pick<ActivityDeps, 'slots' | 'budget' | 'providers' | 'now'> & {
  calendarAccounts: Pick<ActivityDeps['calendarAccounts'], 'getWithCredentials' | 'getWithCredentialsTakingToken'>;
  accountHealth: Pick<ActivityDeps['accountHealth'], 'markError'>;
};

/**
 * The account's credentials as they stand now. A secret that cannot be opened (its key is gone)
 * puts the account in `error` and fails for good: retrying cannot bring a key back.
 */
async function credentialCheck(
  deps: ProviderCallDeps,
  connectionId: string,
  justRefreshed?: boolean,
  accounts: CredentialSource = deps.calendarAccounts,
): Promise<CredentialCheck> {
  const now = deps.now ?? Date.now;
  try {
    return await checkCredentials(accounts, connectionId, now(), { justRefreshed });
  } catch (err) {
    const problem = secretProblem(err);
    if (problem) throw await accountFailure(deps, connectionId, problem);
    throw err;
  }
}

type CredentialSource = Parameters<typeof checkCredentials>[0];

/** The request budget of an account: one bucket per account, whichever calendar a call is about. */
const budgetKey = (connectionId: string) => `connection:${connectionId}`;

/** Every provider kind: the pace of each goes with the account's row, whose provider decides. */
const PROVIDER_KINDS = { google: true, microsoft: true, caldav: true, icloud: true } satisfies Record<ProviderKind, true>;

/** Each registry's paces, worked out once: a worker's registry does not change while it runs. */
const pacesByRegistry = new WeakMap<ProviderCallDeps['providers'], ProviderPaces>();

function providerPaces(deps: ProviderCallDeps): ProviderPaces {
  const known = pacesByRegistry.get(deps.providers);
  if (known) return known;
  const kinds = Object.keys(PROVIDER_KINDS) as ProviderKind[];
  const paces = Object.fromEntries(
    kinds.map((k) => [k, requestPace(deps.providers.calendar(k).requestsPerSecondPerUser)]),
  ) as ProviderPaces;
  pacesByRegistry.set(deps.providers, paces);
  return paces;
}

/**
 * Loads an account and usable credentials for provider calls, or fails the way workflows
 * expect: gone, needs re-authentication, or token expired (the workflow refreshes and retries).
 * The same round trip asks for the request token of the first call made with the account (none
 * is taken for an account that is disconnected or needs re-authentication).
 */
export async function readyAccount(deps: ProviderCallDeps, input: AccountInput): Promise<ReadyAccount> {
  let tokenWithRow: TokenWithRow | undefined;
  const withToken: CredentialSource = {
    getWithCredentials: async (id) => {
      const at = Date.now();
      const loaded = await deps.calendarAccounts.getWithCredentialsTakingToken(id, budgetKey(id), providerPaces(deps));
      if (loaded) tokenWithRow = { state: loaded.tokenTaken ? 'taken' : 'refused', at };
      return loaded;
    },
  };
  const check = await credentialCheck(deps, input.connectionId, input.tokenJustRefreshed, withToken);
  const { account, credentials } = usable(check, input.connectionId);
  return {
    connectionId: account.id,
    provider: account.provider,
    ctx: { credentials, calendarId: input.calendarId ?? account.calendarId },
    tokenVersion: account.tokenVersion,
    reminders: account.reminders,
    errorKind: account.errorKind ?? null,
    accountCalendarId: account.calendarId,
    ...(tokenWithRow ? { tokenWithRow } : {}),
  };
}

/** The usable account of a check, or the failure its workflow acts on. */
function usable(check: CredentialCheck, connectionId: string): Extract<CredentialCheck, { kind: 'usable' }> {
  switch (check.kind) {
    case 'gone':
      throw connectionUnavailable(`calendar connection ${connectionId} is no longer connected`);
    case 'needs_reauth':
      throw reauthRequired('the calendar connection needs to be reconnected');
    case 'expired':
      throw tokenExpired(check.account.tokenVersion, 'access token expired or about to expire');
    case 'usable':
      return check;
  }
}

/**
 * The account again after a wait for a request token: a disconnect or a new token may have come
 * meanwhile, and no call goes out for an account that was disconnected. Keeps the calendar the
 * call was prepared for; takes the current credentials.
 */
async function stillReady(deps: ProviderCallDeps, account: ReadyAccount): Promise<ReadyAccount> {
  const check = await credentialCheck(deps, account.connectionId);
  // A token that came due while waiting goes out as it is: the provider's refusal leads to the refresh.
  if (check.kind === 'expired') return account;
  const { account: current, credentials } = usable(check, account.connectionId);
  return { ...account, ctx: { ...account.ctx, credentials }, tokenVersion: current.tokenVersion };
}

/**
 * One provider call for an account, as every provider activity makes it: paced by the account's
 * request budget, holding one of the account's request slots (where the provider limits them), ended by the activity's
 * cancellation, heartbeating per page read, with a failure audited and turned into the
 * Temporal failure that says how to retry.
 */
export async function callProvider<T>(
  deps: ProviderCallDeps,
  prepared: ReadyAccount,
  operation: ProviderOperation<T>,
  audit?: FailureAudit,
  name?: string,
): Promise<T> {
  const activity = asyncLocalStorage.getStore();
  const operationName = name ?? activity?.info.activityType ?? 'call';
  // Its span and its debug line say what was called and how it went: provider, operation, outcome,
  // duration; never the account, the calendar, the event or the credentials.
  return trace.getTracer(TRACER_NAME).startActiveSpan(`provider ${prepared.provider} ${operationName}`, async (span) => {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await providerCall(deps, prepared, operation, audit);
    } catch (err) {
      // The failure's type (TokenExpired, RateLimited, …): a category, never the provider's message.
      outcome = err instanceof ApplicationFailure && err.type ? err.type : 'failed';
      if (activity?.cancellationSignal.aborted) outcome = 'cancelled';
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      span.setAttributes({
        'calendar.provider': prepared.provider,
        'calendar.operation': operationName,
        'calendar.outcome': outcome,
        'calendar.duration_ms': durationMs,
      });
      span.end();
      activity?.log.debug('provider call', { provider: prepared.provider, operation: operationName, outcome, durationMs });
    }
  });
}

/**
 * The call's request token: the one asked for with the account's row when this is the first call
 * made with it (refused, the wait goes on from that ask), else one of its own. True when it had
 * to wait, as takeRequestToken.
 */
async function callToken(
  deps: ProviderCallDeps,
  prepared: ReadyAccount,
  key: string,
  requestsPerSecond: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const withRow = prepared.tokenWithRow;
  if (withRow === undefined || withRow.state === 'spent') return takeRequestToken(deps.budget, key, requestsPerSecond, signal);
  const refused = withRow.state === 'refused';
  withRow.state = 'spent';
  return refused ? takeRequestToken(deps.budget, key, requestsPerSecond, signal, withRow.at) : false;
}

/** The call itself: budget, slot, cancellation, heartbeats, and the failure audited and translated. */
async function providerCall<T>(
  deps: ProviderCallDeps,
  prepared: ReadyAccount,
  operation: ProviderOperation<T>,
  audit: FailureAudit | undefined,
): Promise<T> {
  const provider = deps.providers.calendar(prepared.provider);
  const activity = asyncLocalStorage.getStore();
  const signal = activity?.cancellationSignal;
  const key = budgetKey(prepared.connectionId);
  let account = prepared;
  try {
    if (await callToken(deps, prepared, key, provider.requestsPerSecondPerUser, signal)) account = await stillReady(deps, prepared);
  } catch (err) {
    // Waiting for the budget is not a provider failure: nothing to audit.
    if (signal?.aborted) throw signal.reason;
    throw toActivityFailure(err, prepared.tokenVersion);
  }
  // In an activity, its cancellation ends the call's requests, and each page read is a heartbeat.
  const ctx: AccessContext = activity ? { ...account.ctx, signal, onPage: () => activity.heartbeat() } : account.ctx;
  try {
    return await withRequestSlot(deps.slots, key, provider.maxConcurrentRequestsPerUser, () => operation(provider, ctx));
  } catch (err) {
    // Cancelled (by the workflow, a timeout or the worker's shutdown): not a provider failure.
    if (signal?.aborted) throw signal.reason;
    let failure = toActivityFailure(err, account.tokenVersion);
    // Refused for good: when the calendar or the account is the cause, the account is in error.
    // The calendar list that tells is a request like any other: it waits for the account's budget.
    const listCalendars = async () => {
      await takeRequestToken(deps.budget, key, provider.requestsPerSecondPerUser, signal);
      return provider.listCalendars({ credentials: ctx.credentials, ...(signal ? { signal } : {}) });
    };
    let problem = failure.nonRetryable ? await diagnoseRefusal(ctx.calendarId, err, listCalendars) : undefined;
    // Another calendar (one read for busy times, one events are moved away from) that is gone or
    // read-only is that calendar's problem, not the account's: the refusal stands as it is.
    if (problem && problem !== 'account_disabled' && ctx.calendarId !== account.accountCalendarId) problem = undefined;
    if (problem)
      failure = await accountFailure(deps, account.connectionId, problem, problem === 'account_disabled' ? undefined : ctx.calendarId);
    // A refused token is not audited: the workflow refreshes it and calls again.
    if (audit && !(err instanceof ProviderError && err.kind === 'unauthorized')) {
      const message = problem && failure.nonRetryable ? failure.message : err instanceof Error ? err.message : String(err);
      await audit(message, failure.nonRetryable === true).catch(() => undefined);
    }
    throw failure;
  }
}
