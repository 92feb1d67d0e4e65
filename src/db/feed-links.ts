import type { BookingDetails, BookingStatus } from '../domain/booking';
import { PersonalDataUnavailableError, type BookingPersonalSeal } from './booking-personal-data';
import { personalDataOf, toBookingDetails, type BookingRow } from './booking-row';
import type { Queryable } from './pool';

/** A booking as a user's calendar feed shows it. */
export interface FeedBooking {
  bookingId: string;
  status: BookingStatus;
  revision: number;
  details: BookingDetails;
  updatedAt: Date;
}

/** feed_links (one secret feed link per user, by token hash) and the bookings a feed lists. */
export interface FeedLinkStore {
  /** Stores the user's link, replacing any earlier one; returns when it was created. */
  replace(userId: string, tokenHash: Buffer): Promise<Date>;
  /** Deletes the user's link, if any. */
  revoke(userId: string): Promise<void>;
  /** When the user's active link was created; null when they have none. */
  createdAt(userId: string): Promise<Date | null>;
  /** The user whose active link has this token hash. */
  userFor(tokenHash: Buffer): Promise<string | null>;
  /**
   * The user's confirmed bookings that have not ended and the ones cancelled within
   * `cancelledDays`, soonest first, at most `limit`; none where the user's participant entry
   * says `sync: false` (selective sync). A booking whose personal data cannot be opened is left
   * out: the rest of the feed still reaches the calendar app.
   */
  bookingsFor(userId: string, cancelledDays: number, limit: number): Promise<FeedBooking[]>;
}

export class PgFeedLinkStore implements FeedLinkStore {
  constructor(
    private readonly db: Queryable,
    private readonly seal: BookingPersonalSeal,
  ) {}

  async replace(userId: string, tokenHash: Buffer): Promise<Date> {
    const { rows } = await this.db.query<{ created_at: Date }>(
      `INSERT INTO feed_links (user_id, token_hash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()
       RETURNING created_at`,
      [userId, tokenHash],
    );
    return rows[0]!.created_at;
  }

  async revoke(userId: string): Promise<void> {
    await this.db.query('DELETE FROM feed_links WHERE user_id = $1', [userId]);
  }

  async createdAt(userId: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ created_at: Date }>('SELECT created_at FROM feed_links WHERE user_id = $1', [userId]);
    return rows[0]?.created_at ?? null;
  }

  async userFor(tokenHash: Buffer): Promise<string | null> {
    const { rows } = await this.db.query<{ user_id: string }>('SELECT user_id FROM feed_links WHERE token_hash = $1', [tokenHash]);
    return rows[0]?.user_id ?? null;
  }

  async bookingsFor(userId: string, cancelledDays: number, limit: number): Promise<FeedBooking[]> {
    // participant_user_ids @> ARRAY[...] uses the GIN index on it.
    const { rows } = await this.db.query<BookingRow>(
      `SELECT * FROM bookings
        WHERE participant_user_ids @> ARRAY[$1]::text[]
          AND NOT unsynced_user_ids @> ARRAY[$1]::text[]
          AND ((status = 'confirmed' AND end_at > now())
            OR (status = 'cancelled' AND updated_at > now() - make_interval(days => $2)))
        ORDER BY start_at, booking_id
        LIMIT $3`,
      [userId, cancelledDays, limit],
    );
    return rows.flatMap((r) => {
      let personal;
      try {
        personal = personalDataOf(r, this.seal);
      } catch (err) {
        if (err instanceof PersonalDataUnavailableError) return [];
        throw err;
      }
      return [
        {
          bookingId: r.booking_id,
          status: r.status,
          revision: r.revision,
          details: toBookingDetails(r, personal),
          updatedAt: r.updated_at,
        },
      ];
    });
  }
}
