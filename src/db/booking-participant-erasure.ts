import { PersonalDataUnavailableError, type BookingPersonalSeal } from './booking-personal-data';
import { personalDataOf, type BookingRow } from './booking-row';
import type { Queryable } from './pool';

/**
 * Bookings rows as an erasure sees them: which name a user, and the user's participant entry
 * taken out of them. Kept apart from the bookings repository so the way participants are stored
 * can change in one place.
 */

/** The bookings the user takes part in (their ids only). */
export async function bookingsNaming(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ booking_id: string }>(
    'SELECT booking_id FROM bookings WHERE participant_user_ids @> ARRAY[$1::text] ORDER BY booking_id',
    [userId],
  );
  return rows.map((r) => r.booking_id);
}

/**
 * Removes the user's participant entry (id, role, name, e-mail) from every booking naming them;
 * the other participants and the booking stay. The personal data is opened, filtered and sealed
 * again (a row still in the clear shape is sealed on the way). A row whose seal cannot be opened
 * any more (its key is gone) keeps it: nobody can read it, and the clear ids lose the user.
 * Returns how many bookings changed.
 */
export async function removeParticipantEverywhere(db: Queryable, seal: BookingPersonalSeal, userId: string): Promise<number> {
  const { rows } = await db.query<BookingRow>(
    'SELECT * FROM bookings WHERE participant_user_ids @> ARRAY[$1::text] OR unsynced_user_ids @> ARRAY[$1::text] ORDER BY booking_id FOR UPDATE',
    [userId],
  );
  for (const row of rows) {
    let personal: string | null = row.personal_enc;
    try {
      const data = personalDataOf(row, seal);
      personal = seal.seal(row.booking_id, { ...data, participants: data.participants.filter((p) => p.userId !== userId) });
    } catch (err) {
      if (!(err instanceof PersonalDataUnavailableError)) throw err;
    }
    await db.query(
      `UPDATE bookings
          SET personal_enc = $2, title = NULL, description = NULL, location = NULL, meeting_url = NULL, participants = NULL,
              cancel_reason = NULL, templates = NULL,
              participant_user_ids = array_remove(participant_user_ids, $3::text),
              unsynced_user_ids = array_remove(unsynced_user_ids, $3::text), updated_at = now()
        WHERE booking_id = $1`,
      [row.booking_id, personal, userId],
    );
  }
  return rows.length;
}
