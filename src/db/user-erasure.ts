import type { Pool } from 'pg';
import type { ErasureCounts, UserSubject } from '../domain/personal-data';
import type { BookingPersonalSeal } from './booking-personal-data';
import { bookingsNaming, removeParticipantEverywhere } from './booking-participant-erasure';
import { withTransaction, type Queryable } from './pool';

/** The PII-free record of one user's erasure. */
export interface ErasureRecord {
  removeEvents: boolean;
  requestedAt: Date;
  /** Null while the erasure runs. */
  erasedAt: Date | null;
  counts: ErasureCounts | null;
}

/** Everything a user erasure reads and deletes; the user's id is never stored in `user_erasures`. */
export interface UserErasureStore {
  /** The erasure record under any of `hashes` (the user's id hashed under each key of the ring). */
  find(hashes: string[]): Promise<ErasureRecord | undefined>;
  /** Records that the erasure was asked for (again: requested_at is renewed, erased_at cleared). */
  begin(subject: UserSubject, removeEvents: boolean): Promise<void>;
  /** The user's calendar accounts not yet disconnected. */
  liveAccounts(userId: string): Promise<Array<{ id: string }>>;
  /** The bookings naming the user. */
  bookings(userId: string): Promise<string[]>;
  /** Deletes every row naming the user and takes them out of bookings, in one transaction; records the counts. */
  erase(userId: string, subject: UserSubject): Promise<ErasureCounts>;
}

/** Runs one DELETE and returns how many rows it removed. */
async function removed(db: Queryable, sql: string, params: unknown[]): Promise<number> {
  return (await db.query(sql, params)).rowCount ?? 0;
}

export class PgUserErasureStore implements UserErasureStore {
  constructor(
    private readonly pool: Pool,
    private readonly personal: BookingPersonalSeal,
  ) {}

  async find(hashes: string[]): Promise<ErasureRecord | undefined> {
    const { rows } = await this.pool.query<{
      remove_events: boolean;
      requested_at: Date;
      erased_at: Date | null;
      counts: ErasureCounts | null;
    }>(
      'SELECT remove_events, requested_at, erased_at, counts FROM user_erasures WHERE subject_hash = ANY($1) ORDER BY requested_at DESC LIMIT 1',
      [hashes],
    );
    const r = rows[0];
    return r && { removeEvents: r.remove_events, requestedAt: r.requested_at, erasedAt: r.erased_at, counts: r.counts };
  }

  async begin(subject: UserSubject, removeEvents: boolean): Promise<void> {
    await this.pool.query(
      `INSERT INTO user_erasures (subject_hash, key_id, remove_events) VALUES ($1, $2, $3)
       ON CONFLICT (subject_hash) DO UPDATE SET remove_events = EXCLUDED.remove_events, requested_at = now(), erased_at = NULL`,
      [subject.hash, subject.keyId, removeEvents],
    );
  }

  async liveAccounts(userId: string): Promise<Array<{ id: string }>> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM calendar_connections WHERE user_id = $1 AND status <> 'disconnected' ORDER BY created_at, id`,
      [userId],
    );
    return rows;
  }

  bookings(userId: string): Promise<string[]> {
    return bookingsNaming(this.pool, userId);
  }

  async erase(userId: string, subject: UserSubject): Promise<ErasureCounts> {
    return withTransaction(this.pool, async (db) => {
      // Locked first: a calendar write still ending records its outcome and audit rows only while
      // holding its account row (src/db/calendar-events.ts, sync-log.ts), so it either commits
      // before this lock (and the deletes below, each seeing it, remove its rows) or waits for
      // this commit and then finds no account and records nothing.
      const { rows } = await db.query<{ id: string }>('SELECT id FROM calendar_connections WHERE user_id = $1 ORDER BY id FOR UPDATE', [
        userId,
      ]);
      const connectionIds = rows.map((r) => r.id);
      const keys = connectionIds.map((id) => `connection:${id}`);
      // A notification names the user by id or by one of their accounts; the id is matched as a JSON string.
      const quoted = JSON.stringify(userId);
      const counts: ErasureCounts = {
        notifications: await removed(
          db,
          `DELETE FROM notifications WHERE strpos(data::text, $1) > 0 OR data->>'connectionId' = ANY($2::text[])`,
          [quoted, connectionIds],
        ),
        syncLog: await removed(db, 'DELETE FROM sync_log WHERE user_id = $1 OR connection_id = ANY($2::uuid[])', [userId, connectionIds]),
        calendarEvents: await removed(db, 'DELETE FROM calendar_events WHERE user_id = $1 OR connection_id = ANY($2::uuid[])', [
          userId,
          connectionIds,
        ]),
        // Busy times, busy calendars, push channels and reported conflicts go with their account (ON DELETE CASCADE).
        connections: await removed(db, 'DELETE FROM calendar_connections WHERE user_id = $1', [userId]),
        providerBudget: await removed(db, 'DELETE FROM provider_request_budget WHERE key = ANY($1)', [keys]),
        providerSlots: await removed(db, 'DELETE FROM provider_slots WHERE key = ANY($1)', [keys]),
        invitationSends: await removed(db, 'DELETE FROM invitation_sends WHERE user_id = $1', [userId]),
        oauthFlows: await removed(db, 'DELETE FROM oauth_flows WHERE user_id = $1', [userId]),
        connectAttempts: await removed(db, 'DELETE FROM connect_attempts WHERE user_id = $1', [userId]),
        settingsLinks: await removed(db, 'DELETE FROM settings_link_generations WHERE user_id = $1', [userId]),
        feedLinks: await removed(db, 'DELETE FROM feed_links WHERE user_id = $1', [userId]),
        bookings: await removeParticipantEverywhere(db, this.personal, userId),
      };
      await db.query(
        `INSERT INTO user_erasures (subject_hash, key_id, remove_events, erased_at, counts) VALUES ($1, $2, false, now(), $3)
         ON CONFLICT (subject_hash) DO UPDATE SET erased_at = now(), counts = EXCLUDED.counts`,
        [subject.hash, subject.keyId, JSON.stringify(counts)],
      );
      return counts;
    });
  }
}
