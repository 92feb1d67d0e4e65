/** What a booking workflow holds and carries: the desired booking, one record per calendar, and the operations its plan returns. */
import type { BookingDetails, BookingStatus, CalendarView } from '../domain/booking';
import type { InvitationMethod } from '../domain/invitations';

/** The newest version applied per group of fields; `null` = only unversioned changes so far. */
export interface AppliedVersions {
  details: number | null;
  times: number | null;
}

export interface DesiredBooking {
  status: BookingStatus;
  details: BookingDetails;
  versions: AppliedVersions;
  cancelReason?: string;
}

/** What the workflow knows about one participant's calendar. */
export interface CalendarRecord extends Omit<CalendarView, 'externallyChangedAt'> {
  /** The revision this calendar last reached; undefined = never synced. */
  syncedRevision?: number;
  /** Set when the user must reconnect: not retried until the calendar account is re-driven. */
  awaitingReauth?: boolean;
  /** The calendar our event is in, once it was written. */
  calendarId?: string;
}

/** Everything carried across continue-as-new. */
export interface CarriedState {
  desired: DesiredBooking | null;
  revision: number;
  calendars: CalendarRecord[];
  savedRevision: number;
  /** Absent in state carried before invitations existed. */
  invitations?: InvitationRecord[];
}

/** What the workflow knows about one participant's e-mail invitation. */
export interface InvitationRecord {
  userId: string;
  /** Where the last mail went (a CANCEL goes there too). */
  email: string;
  /** `synced`: the REQUEST for `sentRevision` was sent; `deleted`: a CANCEL was. */
  state: 'pending' | 'synced' | 'deleted' | 'failed';
  /** The revision (the iCalendar SEQUENCE) and method of the last mail sent; undefined = none yet. */
  sentRevision?: number;
  sentMethod?: InvitationMethod;
  /** A send for this revision failed for good: not tried again until the booking changes. */
  failedRevision?: number;
  sentAt?: string;
  lastError?: string;
}

/** One mail to send: the invitation (or its update), or its withdrawal. */
export interface InvitationOp {
  userId: string;
  email: string;
  method: InvitationMethod;
}

export type ReconcileOp =
  | {
      kind: 'upsert';
      userId: string;
      connectionId: string;
      provider: string;
      knownExternalEventId?: string;
      /** The calendar the known event is in, as last written. */
      knownCalendarId?: string;
      /** The user chose another calendar: remove the event from this one first. */
      moveFromCalendarId?: string;
    }
  | { kind: 'delete'; userId: string; connectionId: string; provider: string; knownExternalEventId?: string; calendarId?: string };

/** The key of a participant's calendar record (`connectionId` null: the participant has no usable calendar). */
export function recordKey(userId: string, connectionId: string | null): string {
  return `${userId}\u0000${connectionId ?? ''}`;
}
