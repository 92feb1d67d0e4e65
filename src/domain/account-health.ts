/**
 * Calendar account health: the permanent failures that put an account in `error`, what its user
 * is told about each, and what ends each one. Plain code, used by activities, the database
 * layer's callers and tests alike.
 */

/** Why an account is in `error`. Stored (calendar_connections.error_kind) and sent with `connection.error`. */
export type AccountProblemKind = 'calendar_not_found' | 'calendar_forbidden' | 'account_disabled' | 'secret_unavailable';

export const ACCOUNT_PROBLEM_KINDS: readonly AccountProblemKind[] = [
  'calendar_not_found',
  'calendar_forbidden',
  'account_disabled',
  'secret_unavailable',
];

/** What the account's user (or the operator, for a key) can do about it; never names a secret. */
export function accountProblemMessage(kind: AccountProblemKind): string {
  switch (kind) {
    case 'calendar_not_found':
      return 'The calendar events are written to no longer exists (it was deleted, or is no longer shared with this account). Choose another calendar for this account.';
    case 'calendar_forbidden':
      return 'The calendar events are written to is read-only for this account. Choose another calendar, or ask its owner for write access: the failed events are written as soon as it is given back.';
    case 'account_disabled':
      return 'The calendar provider says this account is disabled (suspended, or its calendar switched off). Ask its administrator to enable it again: the failed events are then written by themselves. Or disconnect it and connect another account.';
    case 'secret_unavailable':
      return "This calendar's stored credentials cannot be read: the encryption key they were sealed with is not configured. Reconnect the calendar, or ask the operator to restore the key.";
  }
}

/**
 * Problems a successful read of the account's calendar proves gone: the credentials opened, the
 * calendar answered. A lost write permission is not among them (reads may still be allowed).
 */
export const HEALED_BY_READ: readonly AccountProblemKind[] = ['calendar_not_found', 'account_disabled', 'secret_unavailable'];

/** The account's calendars as the provider lists them (what the diagnosis needs of them). */
export interface ListedCalendar {
  id: string;
  writable: boolean;
}

/**
 * After a write or read was refused with "not found" or "forbidden": whether the account's
 * calendar is the cause. Undefined when the calendar is there and writable (the refusal was about
 * one event, not the account).
 */
export function calendarProblem(calendarId: string, calendars: readonly ListedCalendar[]): AccountProblemKind | undefined {
  const calendar = calendars.find((c) => c.id === calendarId);
  if (!calendar) return 'calendar_not_found';
  return calendar.writable ? undefined : 'calendar_forbidden';
}
