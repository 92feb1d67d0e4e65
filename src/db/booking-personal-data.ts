import { DecryptionError, type SecretBox } from '../crypto/secret-box';
import type { Participant } from '../domain/booking';
import type { EventTemplates } from '../domain/event-templates';

/**
 * Everything of a booking that names or describes people: sealed together in `bookings.personal_enc`,
 * one seal per write and one open per read.
 */
export interface BookingPersonalData {
  title: string;
  description?: string;
  location?: string;
  meetingUrl?: string;
  participants: Participant[];
  cancelReason?: string;
  templates?: EventTemplates;
}

/** Where a booking's sealed personal data lives: part of its authenticated data, so it opens in no other row. */
export function personalDataAad(bookingId: string): string {
  return `bookings.personal_enc:${bookingId}`;
}

/** A booking's personal data could not be opened (its key is not in ENCRYPTION_KEYS, or the value was moved or damaged). */
export class PersonalDataUnavailableError extends Error {
  readonly code = 'personal_data_unavailable';
  constructor(
    readonly bookingId: string,
    cause: DecryptionError,
  ) {
    super(`booking ${bookingId}: cannot decrypt its personal data (${cause.message})`);
    this.name = 'PersonalDataUnavailableError';
  }
}

/** Seals and opens bookings' personal data with the keyring of stored secrets. */
export class BookingPersonalSeal {
  constructor(private readonly box: SecretBox) {}

  seal(bookingId: string, data: BookingPersonalData): string {
    return this.box.seal(JSON.stringify(data), personalDataAad(bookingId));
  }

  open(bookingId: string, sealed: string): BookingPersonalData {
    try {
      return JSON.parse(this.box.open(sealed, personalDataAad(bookingId))) as BookingPersonalData;
    } catch (err) {
      if (err instanceof DecryptionError) throw new PersonalDataUnavailableError(bookingId, err);
      throw err;
    }
  }
}

/** The participants who asked for nothing from us for this booking (kept in clear for the feed's filter). */
export function unsyncedUserIds(participants: Participant[]): string[] {
  return participants.filter((p) => p.sync === false).map((p) => p.userId);
}
