import type { ExternalEdit, ExternalEditState } from '../domain/busy-reports';
import type { CalendarChanges } from '../providers/types';
import type { AppliedRead, CursorDecision } from './busy-times';
import type { Queryable } from './pool';
import { PgSyncLogStore } from './sync-log';

/**
 * The read to judge. Events we keep in another calendar than the one read are not judged by it;
 * only events our last write recorded before the read began (`startedAt`) can be; our writes
 * recorded since the previous read (`previousStartedAt`) must show up in an incremental one.
 */
export interface EditDetection extends AppliedRead {
  connectionId: string;
  provider: string;
  changes: CalendarChanges;
}

interface Candidate {
  booking_id: string;
  user_id: string;
  external_event_id: string;
  external_state: ExternalEditState | null;
  start_at: Date;
  end_at: Date;
  /** Our write was recorded after the read began: the read may show the calendar before it. */
  raced: boolean;
}

/** At most this many edits (and conflicts) are reported per read; the rest follow with the next reads. */
export const REPORT_BATCH = 50;

/** Edits by users to our events, as reads of their calendars found them. */
export interface ExternalEditStore {
  /** Marks edits reported; an edit replaced meanwhile by a newer one (another changedAt) stays unreported. */
  markReported(accountId: string, edits: Array<{ bookingId: string; changedAt: string }>): Promise<void>;
  /** External states of a booking's events, for GET /v1/bookings/:id. */
  statesOf(bookingId: string): Promise<Map<string, { state: ExternalEditState; changedAt: string }>>;
}

/** On a transaction's client when judging a read (see PgBusyStore.applyRead), else on the pool. */
export class PgExternalEditStore implements ExternalEditStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Compares what a read saw of our events with what their bookings say. An event is judged only
   * when nothing of ours is pending for it: the booking is confirmed and our last write has its
   * latest revision, recorded before the read began. A full read that misses an event of a
   * booking in its window saw it deleted; an incremental read reports deletions, except of an
   * event created and deleted between two reads (Graph reports neither): an event we wrote since
   * the previous read that this read does not mention is settled by a full read next time.
   */
  async detect(detection: EditDetection): Promise<{ result: ExternalEdit[]; cursor: CursorDecision }> {
    const byId = new Map(detection.changes.items.map((i) => [i.itemId, i]));
    const full = detection.changes.mode === 'full';
    const cursor: CursorDecision = { keepPreviousCursor: false, readFullNext: false };
    const { rows } = await this.db.query<Candidate>(
      `SELECT ce.booking_id, ce.user_id, ce.external_event_id, ce.external_state, b.start_at, b.end_at, ce.updated_at >= $3 AS raced
         FROM calendar_events ce JOIN bookings b ON b.booking_id = ce.booking_id
        WHERE ce.connection_id = $1 AND ce.state = 'synced' AND ce.external_event_id IS NOT NULL
          AND ce.calendar_id IS NOT DISTINCT FROM $2
          AND b.status = 'confirmed' AND ce.revision >= b.revision
          AND (ce.external_event_id = ANY($4::text[])
               OR ($5 AND b.start_at < $7 AND b.end_at > $6)
               OR (NOT $5 AND ce.updated_at >= $8 AND b.start_at < $7 AND b.end_at > $6))`,
      [
        detection.connectionId,
        detection.calendarId,
        detection.startedAt,
        [...byId.keys()],
        full,
        detection.window.from,
        detection.window.to,
        detection.previousStartedAt ?? new Date(0),
      ],
    );
    const judged: Array<{ c: Candidate; state: ExternalEditState | null }> = [];
    for (const c of rows) {
      const item = byId.get(c.external_event_id);
      if (c.raced) {
        // The read may show the calendar from before our write: read these changes again (all of
        // them after a full read, whose cursor already points past them).
        if (item && full) cursor.readFullNext = true;
        else if (item) cursor.keepPreviousCursor = true;
        continue;
      }
      if (!item && !full) {
        cursor.readFullNext = true;
        continue;
      }
      let state: ExternalEditState | null = null;
      if (!item || item.removed) state = 'removed_externally';
      else if (item.start && item.end && (!sameSecond(item.start, c.start_at) || !sameSecond(item.end, c.end_at)))
        state = 'moved_externally';
      judged.push({ c, state });
    }
    const changed: typeof judged = [];
    for (const j of judged.filter((x) => x.state !== x.c.external_state)) {
      // Re-checked in the update: a write of ours recorded meanwhile wins.
      const { rowCount } = await this.db.query(
        `UPDATE calendar_events SET external_state = $3, external_changed_at = CASE WHEN $3::text IS NULL THEN NULL ELSE date_trunc('milliseconds', now()) END, external_reported_at = NULL
          WHERE connection_id = $1 AND booking_id = $2 AND updated_at < $4 AND external_state IS DISTINCT FROM $3`,
        [detection.connectionId, j.c.booking_id, j.state, detection.startedAt],
      );
      if (rowCount) changed.push(j);
    }
    await new PgSyncLogStore(this.db).append(
      changed
        .filter((j) => j.state !== null)
        .map(({ c, state }) => ({
          bookingId: c.booking_id,
          userId: c.user_id,
          connectionId: detection.connectionId,
          provider: detection.provider,
          operation: state === 'removed_externally' ? ('external_delete' as const) : ('external_move' as const),
          outcome: 'ok' as const,
          externalEventId: c.external_event_id,
          detail:
            state === 'removed_externally'
              ? 'the event was deleted in the calendar, not by this service'
              : 'the event was moved in the calendar, not by this service',
        })),
    );
    return { result: await this.unreported(detection.connectionId), cursor };
  }

  async markReported(accountId: string, edits: Array<{ bookingId: string; changedAt: string }>): Promise<void> {
    if (edits.length === 0) return;
    await this.db.query(
      `UPDATE calendar_events ce SET external_reported_at = now()
         FROM unnest($2::text[], $3::timestamptz[]) AS e(booking_id, changed_at)
        WHERE ce.connection_id = $1 AND ce.booking_id = e.booking_id AND ce.external_changed_at = e.changed_at`,
      [accountId, edits.map((e) => e.bookingId), edits.map((e) => e.changedAt)],
    );
  }

  async statesOf(bookingId: string): Promise<Map<string, { state: ExternalEditState; changedAt: string }>> {
    const { rows } = await this.db.query<{ connection_id: string; external_state: ExternalEditState; external_changed_at: Date }>(
      `SELECT connection_id, external_state, external_changed_at FROM calendar_events WHERE booking_id = $1 AND external_state IS NOT NULL`,
      [bookingId],
    );
    return new Map(rows.map((r) => [r.connection_id, { state: r.external_state, changedAt: r.external_changed_at.toISOString() }]));
  }

  /** Edits seen on the calendar account that the booking system has not been told of yet. */
  private async unreported(accountId: string): Promise<ExternalEdit[]> {
    const { rows } = await this.db.query<{
      booking_id: string;
      user_id: string;
      external_state: ExternalEditState;
      external_changed_at: Date;
    }>(
      `SELECT booking_id, user_id, external_state, external_changed_at FROM calendar_events
        WHERE connection_id = $1 AND external_state IS NOT NULL AND external_reported_at IS NULL ORDER BY external_changed_at LIMIT $2`,
      [accountId, REPORT_BATCH],
    );
    return rows.map((r) => ({
      bookingId: r.booking_id,
      userId: r.user_id,
      connectionId: accountId,
      state: r.external_state,
      changedAt: r.external_changed_at.toISOString(),
    }));
  }
}

/** Providers write whole seconds (Graph, iCalendar): a booking time with milliseconds is not a move. */
function sameSecond(iso: string, at: Date): boolean {
  return Math.floor(Date.parse(iso) / 1000) === Math.floor(at.getTime() / 1000);
}
