import type { StoredBooking } from '../db/stored-bookings';
import type { CalendarRecord, CarriedState, InvitationRecord } from '../workflows/booking-records';

/**
 * The state a new workflow of a booking starts from when Temporal no longer has the old one:
 * what the database recorded, as if the old run had continued as new. Its revisions continue
 * from the stored one (so no late write of the old run wins), every event it wrote is known by
 * its id and calendar (so a change updates or removes it instead of writing a second one), and
 * every participant mailed an invitation is known (so a cancellation withdraws it).
 */
export function resumedState(stored: StoredBooking): CarriedState {
  const { projection } = stored;
  const calendars = stored.calendars.map((c): CalendarRecord => ({
    userId: c.userId,
    connectionId: c.connectionId,
    provider: c.provider,
    state: c.state,
    ...(c.state !== 'failed' ? { syncedRevision: c.revision } : {}),
    ...(c.externalEventId !== undefined ? { externalEventId: c.externalEventId } : {}),
    ...(c.calendarId !== undefined ? { calendarId: c.calendarId } : {}),
    ...(c.lastError !== undefined ? { lastError: c.lastError } : {}),
    ...(c.syncedAt !== undefined ? { syncedAt: c.syncedAt } : {}),
  }));
  const emails = new Map(projection.details.participants.map((p) => [p.userId, p.email]));
  const invitations: InvitationRecord[] = [];
  for (const sent of stored.invitations) {
    // The address went with the participant; without it no CANCEL could be sent anyway.
    const email = emails.get(sent.userId);
    if (email === undefined) continue;
    invitations.push({
      userId: sent.userId,
      email,
      state: sent.method === 'REQUEST' ? 'synced' : 'deleted',
      sentRevision: sent.revision,
      sentMethod: sent.method,
      sentAt: sent.sentAt,
    });
  }
  return {
    desired: {
      status: projection.status,
      details: projection.details,
      versions: { details: projection.version, times: projection.version },
      ...(projection.cancelReason !== undefined ? { cancelReason: projection.cancelReason } : {}),
    },
    revision: projection.revision,
    savedRevision: projection.revision,
    calendars,
    invitations,
  };
}
