import type { BookingDetails, BookingStatus, Participant } from '../domain/booking';
import type { EventTemplates } from '../domain/event-templates';

/** A row of the bookings table, as `SELECT *` reads it. */
export interface BookingRow {
  booking_id: string;
  status: BookingStatus;
  version: string | null;
  revision: number;
  title: string;
  description: string | null;
  start_at: Date;
  end_at: Date;
  time_zone: string;
  location: string | null;
  meeting_url: string | null;
  participants: Participant[];
  cancel_reason: string | null;
  templates: EventTemplates | null;
  updated_at: Date;
}

/** The booking's details as the booking system sent them (absent optional fields stay absent). */
export function toBookingDetails(row: BookingRow): BookingDetails {
  return {
    title: row.title,
    start: row.start_at.toISOString(),
    end: row.end_at.toISOString(),
    timeZone: row.time_zone,
    participants: row.participants,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.location !== null ? { location: row.location } : {}),
    ...(row.meeting_url !== null ? { meetingUrl: row.meeting_url } : {}),
    ...(row.templates !== null ? { templates: row.templates } : {}),
  };
}
