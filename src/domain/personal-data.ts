/** Shapes shared by the erasure and retention workflows, their activities and the database. */

/** A user named without naming them: an HMAC of their id under one key of the ring (src/crypto/user-subject.ts). */
export interface UserSubject {
  keyId: string;
  hash: string;
}

/** How many rows of each kind an erasure removed (or, for bookings, changed). */
export type ErasureCounts = Record<string, number>;

/** What retention deletes once it is older than RETENTION. */
export type RetainedKind = 'syncLog' | 'notifications' | 'webhookReceipts' | 'bookings';
