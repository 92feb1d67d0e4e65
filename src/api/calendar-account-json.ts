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
    lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
    lastError: a.lastError,
    ...(a.bulkSync ? { bulkSync: a.bulkSync } : {}),
    ...(a.removingEvents ? { removingEvents: true } : {}),
    /**
     * A disconnect asked to remove our events and has finished: the events it could not remove
     * (the account could not be written any more, or the provider refused), for the user to delete.
     */
    ...(a.eventsNotRemoved ? { eventsNotRemoved: a.eventsNotRemoved.events } : {}),
  };
}

export type CalendarAccountJson = ReturnType<typeof calendarAccountJson>;
