import icalGenerator from 'ical-generator';
import type { FeedBooking } from '../db/feed-links';
import type { EventTemplates } from '../domain/event-templates';
import type { Reminder } from './reminders';
import { addBookingEvent } from './ics-event';
import { renderEvent } from './render';

/** How often subscribers are asked to refresh (REFRESH-INTERVAL and X-PUBLISHED-TTL). */
const REFRESH_SECONDS = 15 * 60;

export interface FeedInput {
  /** Whose feed: the per-role text names the others. */
  userId: string;
  bookings: FeedBooking[];
  reminders: Reminder[];
  /** The deployment's event templates (each booking's own come first). */
  templates?: EventTemplates;
  /** The host in every UID (`<bookingId>@<host>`), so UIDs stay stable across fetches. */
  uidHost: string;
}

/**
 * A user's bookings as an iCalendar feed: the same per-role text as connected calendars, SEQUENCE
 * the booking's revision, DTSTAMP its last change (so an unchanged feed is byte-identical and its
 * ETag stable), cancelled bookings as STATUS:CANCELLED (each event built by addBookingEvent).
 */
export function buildFeedIcs(input: FeedInput): string {
  const calendar = icalGenerator({
    prodId: { company: 'booking-calendar-sync', product: 'calendar feed', language: 'EN' },
    name: 'Bookings',
    ttl: REFRESH_SECONDS,
  });
  for (const b of input.bookings) {
    const spec = renderEvent({
      bookingId: b.bookingId,
      connectionId: 'feed',
      booking: b.details,
      forUserId: input.userId,
      reminders: input.reminders,
      templates: input.templates,
    });
    addBookingEvent(calendar, {
      uid: `${b.bookingId}@${input.uidHost}`,
      sequence: b.revision,
      stamp: b.updatedAt,
      spec,
      cancelled: b.status === 'cancelled',
    });
  }
  return calendar.toString();
}
