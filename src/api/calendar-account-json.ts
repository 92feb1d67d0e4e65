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
    /** CalDAV and iCloud: the server the account was connected on (what its reconnect form shows). */
    ...(a.serverUrl ? { serverUrl: a.serverUrl } : {}),
    /** The account's own reminders; null: the deployment's EVENT_REMINDERS. */
    reminders: a.reminders,
    /** The calendars whose busy times count for conflicts; null: the primary calendar and the one events go to. */
    busyCalendarIds: a.busyCalendarIds,
    lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
    lastError: a.lastError,
    /** In `error`, its cause when known (what `lastError` explains), for a booking system to act on. */
    ...(a.status === 'error' && a.errorKind ? { errorReason: a.errorKind } : {}),
    ...(a.bulkSync ? { bulkSync: a.bulkSync } : {}),
    ...(a.removingEvents ? { removingEvents: true as const } : {}),
    /**
     * A disconnect asked to remove our events and has finished: the events it could not remove
     * (the account could not be written any more, or the provider refused), for the user to delete.
     */
    ...(a.eventsNotRemoved ? { eventsNotRemoved: a.eventsNotRemoved.events } : {}),
  };
}

export type CalendarAccountJson = ReturnType<typeof calendarAccountJson>;
