import { createHash } from 'node:crypto';
import icalGenerator, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import type { BookingDetails } from '../domain/booking';
import { parseMailbox, type InvitationMethod } from '../domain/invitations';
import { addBookingEvent } from './ics-event';
import type { Reminder } from './reminders';
import { renderEvent } from './render';

export interface InvitationMailInput {
  method: InvitationMethod;
  bookingId: string;
  /** The booking's revision: the iCalendar SEQUENCE. */
  revision: number;
  booking: BookingDetails;
  recipient: { userId: string; email: string };
  /** INVITATION_FROM: the sender and the ORGANIZER. */
  from: string;
  /** The host in the UID (`<bookingId>@<host>`, as in feeds) and in the Message-ID. */
  uidHost: string;
  reminders: Reminder[];
  stamp: Date;
}

/** One invitation e-mail, ready for the mailer: the text part and the iTIP object (RFC 6047). */
export interface InvitationMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The same for every attempt at this mail, so a receiver can tell a resend. */
  messageId: string;
  method: InvitationMethod;
  ics: string;
}

/** `<hash>.invitation@host`: one per (booking, recipient, revision, method). */
export function invitationMessageId(
  input: Pick<InvitationMailInput, 'bookingId' | 'recipient' | 'revision' | 'method' | 'uidHost'>,
): string {
  const digest = createHash('sha256')
    .update([input.bookingId, input.recipient.userId, String(input.revision), input.method].join('\u0000'))
    .digest('hex');
  return `<${digest.slice(0, 32)}.invitation@${input.uidHost}>`;
}

function when(booking: BookingDetails): string {
  const start = DateTime.fromISO(booking.start, { zone: booking.timeZone });
  const end = DateTime.fromISO(booking.end, { zone: booking.timeZone });
  return `${start.toFormat('cccc d LLLL yyyy, HH:mm')}–${end.toFormat('HH:mm')} (${booking.timeZone})`;
}

/**
 * The invitation (REQUEST) or its withdrawal (CANCEL) for one participant: the same per-role
 * text as their calendar event would carry (renderEvent), the same UID as their feed, SEQUENCE
 * the booking's revision, the sender as ORGANIZER and the participant as the ATTENDEE.
 */
export function buildInvitationMail(input: InvitationMailInput): InvitationMail {
  const spec = renderEvent({
    bookingId: input.bookingId,
    connectionId: 'email',
    booking: input.booking,
    forUserId: input.recipient.userId,
    reminders: input.reminders,
  });
  const cancelled = input.method === 'CANCEL';
  const calendar = icalGenerator({
    prodId: { company: 'booking-calendar-sync', product: 'invitation', language: 'EN' },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const event = addBookingEvent(calendar, {
    uid: `${input.bookingId}@${input.uidHost}`,
    sequence: input.revision,
    stamp: input.stamp,
    spec,
    cancelled,
  });
  const organizer = parseMailbox(input.from) ?? { address: input.from };
  event.organizer({ name: organizer.name ?? organizer.address, email: organizer.address });
  const participant = input.booking.participants.find((p) => p.userId === input.recipient.userId);
  event.createAttendee({
    email: input.recipient.email,
    ...(participant ? { name: participant.name } : {}),
    role: ICalAttendeeRole.REQ,
    status: ICalAttendeeStatus.NEEDSACTION,
    rsvp: false,
  });
  const text = cancelled
    ? [`Cancelled: ${spec.title}`, `Was: ${when(input.booking)}`, '', 'This booking was cancelled.']
    : [spec.title, `When: ${when(input.booking)}`, '', spec.description];
  return {
    from: input.from,
    to: input.recipient.email,
    subject: cancelled ? `Cancelled: ${spec.title}` : input.revision > 1 ? `Updated: ${spec.title}` : `Invitation: ${spec.title}`,
    text: text.join('\n'),
    messageId: invitationMessageId(input),
    method: input.method,
    ics: calendar.toString(),
  };
}
