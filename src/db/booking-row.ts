import type { BookingDetails, BookingStatus, Participant } from '../domain/booking';
import type { EventTemplates } from '../domain/event-templates';
import type { BookingPersonalData, BookingPersonalSeal } from './booking-personal-data';

/** A row of the bookings table, as `SELECT *` reads it. */
export interface BookingRow {
  booking_id: string;
  status: BookingStatus;
  version: string | null;
  revision: number;
  start_at: Date;
  end_at: Date;
  time_zone: string;
  participant_user_ids: string[];
  unsynced_user_ids: string[];
  /** The personal data, sealed (see booking-personal-data.ts); NULL while the row is in the clear shape. */
  personal_enc: string | null;
  updated_at: Date;
  // The clear shape of rows recorded before migration 0027, until they are sealed
  // (seal-clear-bookings.ts); NULL in every row written since. `title` set means this shape.
  title: string | null;
  description: string | null;
  location: string | null;
  meeting_url: string | null;
  participants: Participant[] | null;
  cancel_reason: string | null;
  templates: EventTemplates | null;
}

/** The row's personal data in clear columns, or null when the row is sealed. */
export function clearPersonalData(row: BookingRow): BookingPersonalData | null {
  if (row.title === null) return null;
  return {
    title: row.title,
    participants: row.participants ?? [],
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.location !== null ? { location: row.location } : {}),
    ...(row.meeting_url !== null ? { meetingUrl: row.meeting_url } : {}),
    ...(row.cancel_reason !== null ? { cancelReason: row.cancel_reason } : {}),
    ...(row.templates !== null ? { templates: row.templates } : {}),
  };
}

/**
 * The row's personal data: opened from `personal_enc`, or read from the clear columns of a row
 * not sealed yet. Throws PersonalDataUnavailableError when it cannot be opened.
 */
export function personalDataOf(row: BookingRow, seal: BookingPersonalSeal): BookingPersonalData {
  const clear = clearPersonalData(row);
  if (clear) return clear;
  if (row.personal_enc === null) throw new Error(`booking ${row.booking_id} has no personal data`);
  return seal.open(row.booking_id, row.personal_enc);
}

/** The booking's details as the booking system sent them (absent optional fields stay absent). */
export function toBookingDetails(row: BookingRow, personal: BookingPersonalData): BookingDetails {
  return {
    title: personal.title,
    start: row.start_at.toISOString(),
    end: row.end_at.toISOString(),
    timeZone: row.time_zone,
    participants: personal.participants,
    ...(personal.description !== undefined ? { description: personal.description } : {}),
    ...(personal.location !== undefined ? { location: personal.location } : {}),
    ...(personal.meetingUrl !== undefined ? { meetingUrl: personal.meetingUrl } : {}),
    ...(personal.templates !== undefined ? { templates: personal.templates } : {}),
  };
}
