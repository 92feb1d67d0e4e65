/**
 * Which calendars of an account count for conflicts, and what their reads together say about a
 * time range. Pure: the activity, the application service and the availability routes share it.
 */

/** Most calendars one account may count for conflicts: each is read on every poll. */
export const MAX_BUSY_CALENDARS = 25;

/** The calendars read for an account, and which of them count for conflicts. */
export interface CalendarsToRead {
  read: string[];
  counted: string[];
}

/**
 * The calendars that count for conflicts: the user's choice, or by default the account's default
 * calendar (where the provider has one) and the one events are written to. The calendar events
 * are written to is read first, and always: its read also tells when the user deletes or moves
 * one of our events.
 */
export function busyCalendars(input: { chosen: readonly string[] | null; target: string; defaultCalendarId?: string }): CalendarsToRead {
  const counted = [...new Set(input.chosen ?? [input.target, ...(input.defaultCalendarId === undefined ? [] : [input.defaultCalendarId])])];
  return { read: [input.target, ...counted.filter((id) => id !== input.target)], counted };
}

/** One calendar's last read, as the store keeps it. */
export interface CalendarReadSummary {
  calendarId: string;
  /** When a read last succeeded; null: never yet. */
  syncedAt: Date | null;
  /** The window that read covered. */
  window: { from: Date; to: Date } | null;
  lastError: string | null;
}

/** What an account's calendars together say about [from, to), in the shape the busy routes answer with. */
export interface AccountCoverage {
  /** The oldest of the calendars' last reads: the busy times are at least this fresh. Null while one was never read. */
  syncedAt: Date | null;
  /** Every counted calendar was read over the whole range: without that, "free" would be a guess. */
  covers: boolean;
  lastError: string | null;
}

export function accountCoverage(calendars: readonly CalendarReadSummary[], from: number, to: number): AccountCoverage {
  const synced = calendars.map((c) => c.syncedAt);
  const oldest = synced.some((s) => s === null) ? null : synced.reduce<Date | null>((a, s) => (a === null || s! < a ? s : a), null);
  return {
    syncedAt: oldest,
    covers:
      calendars.length > 0 && calendars.every((c) => c.window !== null && c.window.from.getTime() <= from && c.window.to.getTime() >= to),
    lastError: calendars.find((c) => c.lastError !== null)?.lastError ?? null,
  };
}
