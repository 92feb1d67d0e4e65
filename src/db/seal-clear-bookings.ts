import type { Pool } from 'pg';
import type { BookingPersonalSeal } from './booking-personal-data';
import { unsyncedUserIds } from './booking-personal-data';
import { clearPersonalData, type BookingRow } from './booking-row';
import { withTransaction } from './pool';

/**
 * Seals the personal data of bookings still in the clear shape (recorded before migration 0027,
 * or by a process of the previous version during a rolling upgrade) and empties their clear
 * columns. SQL cannot seal, so every service start runs this after the migrations, and
 * `reencrypt` does too. Batches lock their rows with SKIP LOCKED, so processes starting together
 * share the work; a booking written meanwhile in the sealed shape has no clear title and is left
 * alone. Returns how many bookings were sealed.
 */
export async function sealClearBookings(pool: Pool, seal: BookingPersonalSeal, batch = 200): Promise<number> {
  let sealed = 0;
  for (;;) {
    const done = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<BookingRow>(
        'SELECT * FROM bookings WHERE title IS NOT NULL ORDER BY booking_id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [batch],
      );
      for (const row of rows) {
        const personal = clearPersonalData(row)!;
        await client.query(
          `UPDATE bookings SET personal_enc = $2, unsynced_user_ids = $3::text[], title = NULL, description = NULL, location = NULL,
                  meeting_url = NULL, participants = NULL, cancel_reason = NULL, templates = NULL
            WHERE booking_id = $1`,
          [row.booking_id, seal.seal(row.booking_id, personal), unsyncedUserIds(personal.participants)],
        );
      }
      return rows.length;
    });
    sealed += done;
    if (done < batch) return sealed;
  }
}
