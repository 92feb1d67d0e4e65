/**
 * The booking as the booking system describes it. Shared by the API (validation), the workflow
 * (desired state) and activities (rendering, projection); plain data only, so it is safe inside
 * workflow code.
 */
import type { EventTemplates } from './event-templates';
import type { InvitationMode } from './invitations';

export interface Participant {
  userId: string;
  /** e.g. `tutor`, `client`: decides what the others see in their event. */
  role: string;
  name: string;
  email: string;
  /**
   * `false`: this person gets nothing from us for this booking (no calendar event, no feed entry,
   * no invitation); any event we made for them earlier is removed. Absent means true.
   */
  sync?: boolean;
}

export interface BookingDetails {
  title: string;
  description?: string;
  /** RFC 3339 instants. */
  start: string;
  end: string;
  /** IANA zone the event is shown in. */
  timeZone: string;
  location?: string;
  meetingUrl?: string;
  participants: Participant[];
  /** This booking's own event templates, before the deployment's (EVENT_TEMPLATES). */
  templates?: EventTemplates;
}

export type BookingStatus = 'confirmed' | 'cancelled';

/** The booking as the workflow last decided it, stored for reads that outlive its history. */
export interface BookingProjection {
  bookingId: string;
  status: BookingStatus;
  version: number | null;
  revision: number;
  details: BookingDetails;
  cancelReason?: string;
}

export type CalendarSyncState =
  | 'pending'
  | 'synced'
  | 'failed'
  | 'skipped'
  | 'deleted'
  /** Written, then deleted or moved in the calendar by its user (EXTERNAL_EDIT_POLICY decides what follows). */
  | 'removed_externally'
  | 'moved_externally';

/** Per participant calendar, what `GET /v1/bookings/:id` shows. */
export interface CalendarView {
  userId: string;
  connectionId: string | null;
  provider: string | null;
  state: CalendarSyncState;
  externalEventId?: string;
  lastError?: string;
  syncedAt?: string;
  /** When the user's deletion or move (state `removed_externally` / `moved_externally`) was first seen. */
  externallyChangedAt?: string;
}

/** Overall sync health, also a search attribute for operators. */
export type SyncState = 'pending' | 'synced' | 'degraded';

export interface BookingView extends Omit<BookingDetails, 'participants' | 'templates'> {
  bookingId: string;
  status: BookingStatus;
  version: number | null;
  participants: Array<Pick<Participant, 'userId' | 'role' | 'name' | 'sync'>>;
  cancelReason?: string;
  syncState: SyncState;
  calendars: CalendarView[];
}

/** A participant's connected calendar as the booking workflow plans with it: ids and flags, no secrets. */
export interface CalendarTarget {
  userId: string;
  connectionId: string;
  provider: string;
  /** The calendar of the account that events go to. */
  calendarId: string;
  usable: boolean;
  needsReauth: boolean;
  /** Off: no new events here; events already written are still kept up to date. */
  syncEnabled: boolean;
  /** The user disconnected it and asked for our events to be removed. */
  removing: boolean;
}

/** A booking that may still have an event of ours in a calendar being disconnected. */
export interface EventToRemove {
  bookingId: string;
  userId: string;
  revision: number;
  calendarId?: string;
}

/** How the removal of a disconnecting calendar's events ended, when it could not remove them all. */
export interface RemovalOutcome {
  /** The calendar could not be written any more (needs reconnecting, not answering…): every event left stays, for this reason. */
  stoppedBecause?: string;
  /** Events the provider refused to delete, each with why (for the user). */
  refused: Array<{ bookingId: string; reason: string }>;
}

/** What a booking's reconcile pass plans with: the participants' calendars, and whether e-mail invitations are on. */
export interface ReconcileTargets {
  calendars: CalendarTarget[];
  invitations: InvitationMode;
}
