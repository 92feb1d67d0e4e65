import type { BookingDetails, Participant } from '../domain/booking';
import type { EventSpec } from '../providers/types';
import type { Reminder } from './reminders';

export interface RenderInput {
  bookingId: string;
  connectionId: string;
  booking: BookingDetails;
  /** The participant whose calendar receives the event. */
  forUserId: string;
  reminders: Reminder[];
}

function roleLabel(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

/**
 * The event one participant sees: the others' names in the title and description (a client sees
 * the tutor's name, the tutor the client's), and for everyone the meeting link and location.
 */
export function renderEvent(input: RenderInput): EventSpec {
  const { booking } = input;
  const others: Participant[] = booking.participants.filter((p) => p.userId !== input.forUserId);
  const title = others.length > 0 ? `${booking.title} with ${others.map((p) => p.name).join(', ')}` : booking.title;

  const lines: string[] = others.map((p) => `${roleLabel(p.role)}: ${p.name}`);
  if (booking.meetingUrl) lines.push(`Join: ${booking.meetingUrl}`);
  if (booking.location) lines.push(`Location: ${booking.location}`);
  if (booking.description) lines.push('', booking.description);

  return {
    key: { bookingId: input.bookingId, connectionId: input.connectionId },
    title,
    description: lines.join('\n'),
    location: booking.location ?? booking.meetingUrl,
    url: booking.meetingUrl,
    start: booking.start,
    end: booking.end,
    timeZone: booking.timeZone,
    reminders: input.reminders,
  };
}
