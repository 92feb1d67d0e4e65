/** What `GET /v1/bookings/:id/history` lists: one entry per thing that happened to a booking's events. */

/** A write (or skip) of the booking's event in one calendar, an attempt that will be retried, or a final failure. */
export interface CalendarHistoryEntry {
  kind: 'calendar';
  at: string;
  operation: string;
  /** `ok`, `retrying` (this attempt failed, another follows), `failed` (final), `needs_reauth`. */
  outcome: string;
  userId: string | null;
  connectionId: string | null;
  provider: string | null;
  revision: number | null;
  externalEventId?: string;
  /** The provider's typed error or what happened; never a token or request body. */
  detail?: string;
}

/** The user deleted or moved our event in their calendar, as a read of it found. */
export interface ExternalEditHistoryEntry extends Omit<CalendarHistoryEntry, 'kind' | 'revision'> {
  kind: 'external_edit';
}

/** An event sent to the booking system (NOTIFY_URL) about this booking, and how its delivery went. */
export interface NotificationHistoryEntry {
  kind: 'notification';
  at: string;
  notificationId: string;
  type: string;
  status: string;
  attempts: number;
  lastError?: string;
  deliveredAt?: string;
  /** Ids and states only, as `GET /v1/notifications` shows them. */
  data: Record<string, unknown>;
}

/** An e-mail invitation (REQUEST) or its withdrawal (CANCEL) sent to a participant. */
export interface InvitationHistoryEntry {
  kind: 'invitation';
  at: string;
  userId: string;
  method: string;
  revision: number;
}

export type BookingHistoryEntry = CalendarHistoryEntry | ExternalEditHistoryEntry | NotificationHistoryEntry | InvitationHistoryEntry;

/** Where a page of history ended: the position of its last entry (oldest first). */
export interface HistoryPosition {
  /** Microseconds since the epoch, as a decimal string (PostgreSQL's precision). */
  atMicros: string;
  source: number;
  key: string;
}

export interface HistoryPage {
  entries: BookingHistoryEntry[];
  /** Set when more entries follow. */
  next: HistoryPosition | null;
}
