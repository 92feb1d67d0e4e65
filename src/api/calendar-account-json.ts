import type { CalendarAccountWithEmail } from '../application/calendar-accounts';

/** A calendar account as the API and the settings page show it ("a connection"): never a secret. */
export function calendarAccountJson(a: CalendarAccountWithEmail) {
  return {
    id: a.id,
    provider: a.provider,
    accountEmail: a.accountEmail,
    status: a.status,
    syncEnabled: a.syncEnabled,
    calendarId: a.calendarId,
    /** The account's own reminders; null: the deployment's EVENT_REMINDERS. */
    reminders: a.reminders,
    /** The calendars whose busy times count for conflicts; null: the primary calendar and the one events go to. */
    busyCalendarIds: a.busyCalendarIds,
    lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
    lastError: a.lastError,
    /** In `error`, its cause when known (what `lastError` explains), for a booking system to act on. */
    ...(a.status === 'error' && a.errorKind ? { errorReason: a.errorKind } : {}),
    ...(a.bulkSync ? { bulkSync: a.bulkSync } : {}),
    ...(a.removingEvents ? { removingEvents: true } : {}),
  };
}

export type CalendarAccountJson = ReturnType<typeof calendarAccountJson>;
