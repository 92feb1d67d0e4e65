import type { BookingDetails } from '../domain/booking';
import type { EventTemplates } from '../domain/event-templates';
import type { EventSpec } from '../providers/types';
import type { Reminder } from './reminders';
import { renderEventText } from './templates';

export interface RenderInput {
  bookingId: string;
  connectionId: string;
  booking: BookingDetails;
  /** The participant whose calendar receives the event. */
  forUserId: string;
  reminders: Reminder[];
  /** The deployment's templates (EVENT_TEMPLATES); the booking's own come first, the built-in ones last. */
  templates?: EventTemplates;
}

/**
 * The event one participant sees, its title and description from the templates for that
 * participant's role: by default the others' names in the title and description (a client sees
 * the tutor's name, the tutor the client's), and for everyone the meeting link and location.
 * Every calendar, feed and invitation renders through here.
 */
export function renderEvent(input: RenderInput): EventSpec {
  const { booking } = input;
  const text = renderEventText(input.bookingId, booking, input.forUserId, input.templates);
  return {
    key: { bookingId: input.bookingId, connectionId: input.connectionId },
    title: text.title,
    description: text.description,
    location: booking.location ?? booking.meetingUrl,
    url: booking.meetingUrl,
    start: booking.start,
    end: booking.end,
    timeZone: booking.timeZone,
    reminders: input.reminders,
  };
}
