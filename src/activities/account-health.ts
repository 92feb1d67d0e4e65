import { ApplicationFailure } from '@temporalio/common';
import type { AccountHealthStore } from '../db/account-health';
import { SecretUnavailableError } from '../db/sealed-columns';
import { accountProblemMessage, calendarProblem, type AccountProblemKind, type ListedCalendar } from '../domain/account-health';
import { FailureType, type AccountErrorDetails } from '../domain/failures';
import { ProviderError } from '../providers/types';
import { stableUuid } from './stable-id';

export type AccountHealthDeps = { accountHealth: Pick<AccountHealthStore, 'markError'> };

/**
 * Puts the account in `error` for `kind` and returns the non-retryable failure its workflow acts
 * on. The failure that began the episode carries the id of the episode's one `connection.error`
 * notice (the same id whoever reports it, so it is recorded and delivered once).
 *
 * `calendarId`: the calendar a calendar problem was found in. When the account has another
 * calendar by now (the user chose one meanwhile), nothing is marked and the call is retried: the
 * next attempt goes to the new calendar.
 */
export async function accountFailure(
  deps: AccountHealthDeps,
  connectionId: string,
  kind: AccountProblemKind,
  calendarId?: string,
): Promise<ApplicationFailure> {
  const message = accountProblemMessage(kind);
  const episode = await deps.accountHealth.markError(connectionId, kind, message, calendarId);
  if (!episode && calendarId !== undefined) {
    return ApplicationFailure.create({ type: 'AccountChanged', message: 'the calendar account changed while the call was made' });
  }
  const details: AccountErrorDetails = {
    kind,
    ...(episode?.began ? { notificationId: stableUuid(`connection.error|${connectionId}|${episode.episode}`) } : {}),
  };
  return ApplicationFailure.create({ type: FailureType.AccountError, message, nonRetryable: true, details: [details] });
}

/** A stored secret that cannot be opened (its key is not configured) is an account problem, not a retry. */
export function secretProblem(err: unknown): AccountProblemKind | undefined {
  return err instanceof SecretUnavailableError ? 'secret_unavailable' : undefined;
}

/**
 * A refusal that may be about the calendar or the account rather than one event: not found,
 * forbidden, or (WebDAV) 409 for a write into a collection that no longer exists.
 */
function mayBeAccountWide(err: ProviderError): boolean {
  return err.kind === 'not_found' || (err.kind === 'rejected' && (err.details.status === 403 || err.details.status === 409));
}

/** The provider refused to list the account's calendars in a way only a shut account explains. */
function accountShut(err: unknown): boolean {
  if (!(err instanceof ProviderError)) return false;
  return err.kind === 'account_disabled' || err.details.status === 403 || err.details.status === 404;
}

/**
 * After a provider refused a call for good: whether the account's calendar or the account itself
 * is the cause. The provider saying so (`account_disabled`) settles it; otherwise the account's
 * calendar list is asked (`listCalendars`, which takes a request of the account's budget), so one
 * missing event is never taken for a missing calendar. Undefined when the account looks fine or
 * cannot be asked; a wait for the budget that runs out is thrown (retryable), not taken for an answer.
 */
export async function diagnoseRefusal(
  calendarId: string,
  err: unknown,
  listCalendars: () => Promise<readonly ListedCalendar[]>,
): Promise<AccountProblemKind | undefined> {
  if (!(err instanceof ProviderError)) return undefined;
  if (err.kind === 'account_disabled') return 'account_disabled';
  if (!mayBeAccountWide(err)) return undefined;
  try {
    return calendarProblem(calendarId, await listCalendars());
  } catch (listErr) {
    if (listErr instanceof ApplicationFailure) throw listErr;
    // The account's own calendar list refused too: the account, not a calendar, is shut.
    if (accountShut(listErr)) return 'account_disabled';
    return undefined;
  }
}
