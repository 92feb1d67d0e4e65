import type { ProviderKind } from '../providers/types';
import type { Reminder } from './reminders';

/** Google keeps at most five overrides per event; CalDAV has no limit of its own, so it gets the same. */
export const MAX_ACCOUNT_REMINDERS = 5;

/**
 * Why `reminders` cannot be a calendar account's own, given its provider: Google takes up to
 * five overrides, Outlook one reminder, a notification (it has no e-mail reminders), CalDAV
 * alarms, whose e-mail ones are addressed to the account (so its user name must be an
 * address). Undefined when they fit. The message names the limit, for the user.
 */
export function reminderLimitProblem(provider: ProviderKind, reminders: Reminder[], accountEmail: string | null): string | undefined {
  const seen = new Set(reminders.map((r) => `${r.method}:${r.minutes}`));
  if (seen.size < reminders.length) return 'each reminder may be listed once';
  switch (provider) {
    case 'google':
      return reminders.length > MAX_ACCOUNT_REMINDERS
        ? `Google Calendar allows at most ${MAX_ACCOUNT_REMINDERS} reminders per event`
        : undefined;
    case 'microsoft':
      if (reminders.length > 1) return 'Outlook allows one reminder per event';
      return reminders.some((r) => r.method === 'email')
        ? 'Outlook reminders are notifications: use method "popup" (Outlook has no e-mail reminders)'
        : undefined;
    case 'caldav':
    case 'icloud':
      if (reminders.length > MAX_ACCOUNT_REMINDERS)
        return `CalDAV calendars take at most ${MAX_ACCOUNT_REMINDERS} reminders per event here`;
      return reminders.some((r) => r.method === 'email') && !accountEmail?.includes('@')
        ? "e-mail reminders are sent to the account's address, and this account's user name is not an e-mail address"
        : undefined;
  }
}

/** Whether two reminder lists are the same (order included: it is the order they are written in). */
export function sameReminders(a: Reminder[] | null, b: Reminder[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((r, i) => r.method === b[i]!.method && r.minutes === b[i]!.minutes);
}
