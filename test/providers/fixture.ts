import type { Reminder } from '../../src/events/reminders';
import type { AccessContext, CalendarProvider, EventKey } from '../../src/providers/types';

/** An event as it ended up in the calendar, in provider-neutral terms. */
export interface StoredEvent {
  title: string;
  description: string;
  location: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  reminders: Reminder[];
}

/** One of our events, found by the booking tag the service writes on it (never by an id the adapter derives). */
export interface TaggedEvent extends StoredEvent {
  bookingId: string;
}

/** An event the user made in their own calendar (not through this service). */
export interface UserEvent {
  title: string;
  /** RFC 3339 instants; for an all-day event the dates (YYYY-MM-DD) of its first and following day. */
  start: string;
  end: string;
  allDay?: boolean;
  /** Shown as free (Google transparency, Graph showAs, iCalendar TRANSP). */
  free?: boolean;
  /** Repeats weekly this many times (timed events; written in Europe/London wall time). */
  weekly?: number;
}

/**
 * One provider in the conformance suite: its adapter, a connected account in a real server or
 * emulator, and ways to look at the calendar from the outside (not through the adapter).
 */
export interface ProviderUnderTest {
  provider: CalendarProvider;
  ctx: AccessContext;
  /**
   * Every event in the calendar that carries our booking tag (cancelled/deleted ones excluded),
   * whatever its id: a duplicate made under another id is counted too.
   */
  ourEvents(): Promise<TaggedEvent[]>;
  /** The next create is performed but its response is lost. */
  loseNextCreateResponse(): Promise<void>;
  /**
   * Someone else (the user, another client) changes our event just before our next write, so
   * an ETag we read is stale by the time we write (CalDAV answers 412).
   */
  changeBeforeNextWrite(key: EventKey, externalEventId: string): Promise<void>;
  /** The user adds an event to the calendar, outside this service; returns its item id as change reads report it. */
  addUserEvent(event: UserEvent): Promise<string>;
  /** The user deletes an event (one of theirs, or ours by its externalEventId). */
  deleteUserEvent(itemId: string): Promise<void>;
  /** Makes the provider forget `cursor` (as when it expires); returns the cursor to present. */
  expireCursor(cursor: string): Promise<string>;
  /** What the provider supports of a reminder list (e.g. Outlook: one). */
  expectedReminders(reminders: Reminder[]): Reminder[];
  close(): Promise<void>;
}

export interface ProviderFixture {
  name: string;
  start(): Promise<ProviderUnderTest>;
}
