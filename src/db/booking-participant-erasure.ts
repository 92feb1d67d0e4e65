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
 * the other participants and the booking stay. Returns how many bookings changed.
 */
export async function removeParticipantEverywhere(db: Queryable, userId: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE bookings
        SET participants = COALESCE(
              (SELECT jsonb_agg(p ORDER BY n) FROM jsonb_array_elements(participants) WITH ORDINALITY AS e(p, n) WHERE p->>'userId' IS DISTINCT FROM $1),
              '[]'::jsonb),
            participant_user_ids = array_remove(participant_user_ids, $1::text),
            updated_at = now()
      WHERE participant_user_ids @> ARRAY[$1::text]`,
    [userId],
  );
  return rowCount ?? 0;
}
