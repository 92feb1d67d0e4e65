/**
 * What a read of a user's calendar can report to the booking system: edits of our events by the
 * user, and bookings that now overlap busy time.
 */
export type ExternalEditState = 'removed_externally' | 'moved_externally';

/** An edit by the user to one of our events, not yet reported to the booking system. */
export interface ExternalEdit {
  bookingId: string;
  userId: string;
  connectionId: string;
  state: ExternalEditState;
  /** When it was first seen: names the episode, so reporting it twice is reporting it once. */
  changedAt: string;
}

/** A confirmed, still upcoming booking of the user that overlaps busy time in one of their calendars. */
export interface BusyConflict {
  bookingId: string;
  userId: string;
  connectionId: string;
  /** The overlapping busy interval (RFC 3339). */
  busyStart: string;
  busyEnd: string;
}
