import type { EventToRemove } from '../domain/booking';
import { redactPersonal } from '../domain/personal-redaction';
import type { Queryable } from './pool';
import type { SyncOperation } from './sync-log';

export interface EventOutcome {
  connectionId: string;
  bookingId: string;
  userId: string;
  provider: string;
  revision: number;
  operation: Extract<SyncOperation, 'create' | 'update' | 'delete'>;
  externalEventId: string | undefined;
  etag: string | undefined;
  calendarId: string;
  /** What the provider did, for the audit row (e.g. `already_gone`). */
  detail?: string;
}

export type EventFailure = Omit<EventOutcome, 'etag' | 'externalEventId' | 'detail' | 'calendarId'> & { error: string };

/** calendar_events: which event of ours stands for which booking in which calendar, and how its last write went. */
export interface CalendarEventStore {
  /**
   * Records a successful provider write in one round trip: the calendar_events link (never moved
   * back to an older revision by a late retry), the audit row, and the calendar account's last sync.
   * Returns when the booking's current state was recorded (for the sync latency). Records nothing
   * once the calendar account row is gone (its user was erased).
   */
  recordOutcome(outcome: EventOutcome): Promise<{ bookingChangedAt: Date | null }>;
  /**
   * Records a final failed write: the link marked failed (unless a newer revision was written) and
   * the audit row, the message without e-mail addresses. Nothing once the calendar account row is gone.
   */
  recordFailure(failure: EventFailure): Promise<void>;
  /** Bookings that may still have an event of ours in this calendar, but those in `skip`. */
  toRemove(accountId: string, limit: number, skip?: string[]): Promise<EventToRemove[]>;
  /** Every booking that may still have an event of ours in this calendar, with its start (for the user to find it). */
  leftInCalendar(accountId: string): Promise<EventLeft[]>;
}

/** An event of ours that may still be in a calendar. */
export interface EventLeft {
  bookingId: string;
  userId: string;
  provider: string;
  /** When the booking starts, if the booking is known. */
  start: Date | null;
}

export class PgCalendarEventStore implements CalendarEventStore {
  constructor(private readonly db: Queryable) {}

  async recordOutcome(outcome: EventOutcome): Promise<{ bookingChangedAt: Date | null }> {
    const state = outcome.operation === 'delete' ? 'deleted' : 'synced';
    // Recorded only while the calendar account row exists, which the UPDATE locks: a user's
    // erasure locks their accounts first and deletes them with every row naming the user, so a
    // write ending meanwhile either commits first (and the erasure deletes what it recorded) or
    // waits for the erasure's commit and records nothing.
    const { rows } = await this.db.query<{ booking_changed_at: Date | null }>(
      `WITH account AS (
         UPDATE calendar_connections SET last_synced_at = now(), last_error = NULL WHERE id = $1 RETURNING id
       ), link AS (
         INSERT INTO calendar_events (connection_id, booking_id, user_id, provider, external_event_id, etag, state, revision, last_error, synced_at, updated_at, calendar_id)
         SELECT id, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::int, NULL, now(), now(), $11::text FROM account
         ON CONFLICT (connection_id, booking_id) DO UPDATE
            SET external_event_id = COALESCE(EXCLUDED.external_event_id, calendar_events.external_event_id),
                etag = EXCLUDED.etag, state = EXCLUDED.state, revision = EXCLUDED.revision, calendar_id = EXCLUDED.calendar_id,
                last_error = NULL, synced_at = now(), updated_at = now(),
                -- Our write puts the event back as the booking says: any edit by the user is undone.
                external_state = NULL, external_changed_at = NULL, external_reported_at = NULL
          WHERE calendar_events.revision <= EXCLUDED.revision
       ), audit AS (
         INSERT INTO sync_log (booking_id, user_id, connection_id, provider, operation, outcome, revision, external_event_id, detail)
         SELECT $2::text, $3::text, id, $4::text, $9::text, 'ok', $8::int, $5::text, $10::text FROM account
       )
       SELECT (SELECT updated_at FROM bookings WHERE booking_id = $2::text) AS booking_changed_at FROM account`,
      [
        outcome.connectionId,
        outcome.bookingId,
        outcome.userId,
        outcome.provider,
        outcome.externalEventId ?? null,
        outcome.etag ?? null,
        state,
        outcome.revision,
        outcome.operation,
        outcome.detail === undefined ? null : redactPersonal(outcome.detail),
        outcome.calendarId,
      ],
    );
    return { bookingChangedAt: rows[0]?.booking_changed_at ?? null };
  }

  async recordFailure(failure: EventFailure): Promise<void> {
    // Only while the calendar account row exists, held against a user's erasure: see recordOutcome.
    await this.db.query(
      `WITH account AS (
         SELECT id FROM calendar_connections WHERE id = $1 FOR KEY SHARE
       ), link AS (
         INSERT INTO calendar_events (connection_id, booking_id, user_id, provider, state, revision, last_error, updated_at)
         SELECT id, $2::text, $3::text, $4::text, 'failed', $5::int, $6::text, now() FROM account
         ON CONFLICT (connection_id, booking_id) DO UPDATE
            SET state = 'failed', last_error = EXCLUDED.last_error, updated_at = now()
          WHERE calendar_events.revision <= EXCLUDED.revision
       )
       INSERT INTO sync_log (booking_id, user_id, connection_id, provider, operation, outcome, revision, detail)
       SELECT $2::text, $3::text, id, $4::text, $7::text, 'failed', $5::int, $6::text FROM account`,
      [
        failure.connectionId,
        failure.bookingId,
        failure.userId,
        failure.provider,
        failure.revision,
        redactPersonal(failure.error),
        failure.operation,
      ],
    );
  }

  async toRemove(accountId: string, limit: number, skip: string[] = []): Promise<EventToRemove[]> {
    const { rows } = await this.db.query<{ booking_id: string; user_id: string; revision: number; calendar_id: string | null }>(
      `SELECT booking_id, user_id, revision, calendar_id FROM calendar_events
        WHERE connection_id = $1 AND state <> 'deleted' AND booking_id <> ALL($3::text[]) ORDER BY booking_id LIMIT $2`,
      [accountId, limit, skip],
    );
    return rows.map((r) => ({
      bookingId: r.booking_id,
      userId: r.user_id,
      revision: r.revision,
      ...(r.calendar_id ? { calendarId: r.calendar_id } : {}),
    }));
  }

  async leftInCalendar(accountId: string): Promise<EventLeft[]> {
    const { rows } = await this.db.query<{ booking_id: string; user_id: string; provider: string; start_at: Date | null }>(
      `SELECT e.booking_id, e.user_id, e.provider, b.start_at FROM calendar_events e
         LEFT JOIN bookings b ON b.booking_id = e.booking_id
        WHERE e.connection_id = $1 AND e.state <> 'deleted' ORDER BY b.start_at NULLS LAST, e.booking_id`,
      [accountId],
    );
    return rows.map((r) => ({ bookingId: r.booking_id, userId: r.user_id, provider: r.provider, start: r.start_at }));
  }
}
