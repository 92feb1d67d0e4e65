import type { Pool } from 'pg';
import type { ExternalEdit } from '../domain/busy-reports';
import type { BusyWindow } from '../providers/types';
import { PgExternalEditStore, type EditDetection } from './external-edits';
import { withTransaction } from './pool';

export interface CalendarAccountBusy {
  connectionId: string;
  provider: string;
  /** When busy times were last read successfully; null: never yet. */
  syncedAt: Date | null;
  /** The window that read covered: outside it nothing is known. */
  window: { from: Date; to: Date } | null;
  lastError: string | null;
  intervals: Array<{ start: Date; end: Date }>;
}

/** Where the previous read of a calendar account's calendar left off. */
export interface ReadState {
  /** The database's clock as this read begins: writes recorded before it are visible to the read. */
  startedAt: Date;
  cursor: string | null;
  /** The calendar the cursor belongs to. */
  cursorCalendar: string | null;
  window: BusyWindow | null;
  fullReadAt: Date | null;
  /** When the previous applied read began. */
  previousStartedAt: Date | null;
}

/** One read as it is applied: the calendar and window it covered, when it began, the cursor it started from. */
export interface AppliedRead {
  calendarId: string;
  window: BusyWindow;
  startedAt: Date;
  /** When the previous applied read began (incremental reads only). */
  previousStartedAt: Date | null;
  previousCursor: string | null;
}

/** What judging a read's items decided about the cursor. */
export interface CursorDecision {
  /** A write of ours raced this read: read the same changes again next time. */
  keepPreviousCursor: boolean;
  /** Something this read cannot settle (an event of ours it does not mention): read everything next time. */
  readFullNext: boolean;
}

/** A newer read of the calendar account was applied while this one ran: this one is dropped. */
export class StaleReadError extends Error {
  constructor() {
    super('a newer read of this calendar was applied first');
    this.name = 'StaleReadError';
  }
}

/** Busy times per calendar account (migrations 0010, 0013). */
export interface BusyStore {
  readState(accountId: string): Promise<ReadState>;
  /**
   * Applies one read in a transaction: a full read replaces everything known; an incremental
   * one replaces the intervals of the items it reports. Our own events in it are judged in the
   * same transaction, which also decides the cursor the next read starts from. Returns the
   * edits not reported yet; throws StaleReadError when a newer read was applied meanwhile.
   */
  applyRead(detection: EditDetection): Promise<ExternalEdit[]>;
  /**
   * Records why a read failed. `final` (not retried: a refusal, a server beyond this service's
   * limits) also puts an active account in `error` with that message, until a read succeeds.
   */
  recordError(accountId: string, message: string, final?: boolean): Promise<void>;
  /** The user's active calendar accounts with their busy intervals overlapping [from, to). */
  forUser(userId: string, from: Date, to: Date): Promise<CalendarAccountBusy[]>;
}

export class PgBusyStore implements BusyStore {
  constructor(private readonly pool: Pool) {}

  async readState(accountId: string): Promise<ReadState> {
    const { rows } = await this.pool.query<{
      now: Date;
      busy_cursor: string | null;
      busy_cursor_calendar: string | null;
      busy_window_from: Date | null;
      busy_window_to: Date | null;
      busy_full_read_at: Date | null;
      busy_read_started_at: Date | null;
    }>(
      `SELECT now(), busy_cursor, busy_cursor_calendar, busy_window_from, busy_window_to, busy_full_read_at, busy_read_started_at FROM calendar_connections WHERE id = $1`,
      [accountId],
    );
    const row = rows[0];
    if (!row) return { startedAt: new Date(), cursor: null, cursorCalendar: null, window: null, fullReadAt: null, previousStartedAt: null };
    return {
      startedAt: row.now,
      cursor: row.busy_cursor,
      cursorCalendar: row.busy_cursor_calendar,
      window: row.busy_window_from && row.busy_window_to ? { from: row.busy_window_from, to: row.busy_window_to } : null,
      fullReadAt: row.busy_full_read_at,
      previousStartedAt: row.busy_read_started_at,
    };
  }

  async applyRead(detection: EditDetection): Promise<ExternalEdit[]> {
    const { connectionId, changes, calendarId, window } = detection;
    return withTransaction(this.pool, async (client) => {
      // One read at a time: an attempt that timed out but still finished must not overwrite a newer read.
      const { rows: current } = await client.query<{ busy_read_started_at: Date | null }>(
        'SELECT busy_read_started_at FROM calendar_connections WHERE id = $1 FOR UPDATE',
        [connectionId],
      );
      const newer = current[0]?.busy_read_started_at;
      if (newer && newer > detection.startedAt) throw new StaleReadError();
      const { result, cursor: decision } = await new PgExternalEditStore(client).detect(detection);
      const cursor = decision.readFullNext
        ? null
        : decision.keepPreviousCursor && changes.mode === 'incremental'
          ? detection.previousCursor
          : (changes.cursor ?? null);
      if (changes.mode === 'full') {
        await client.query('DELETE FROM busy_intervals WHERE connection_id = $1', [connectionId]);
      } else if (changes.items.length > 0) {
        await client.query('DELETE FROM busy_intervals WHERE connection_id = $1 AND item_id = ANY($2::text[])', [
          connectionId,
          changes.items.map((i) => i.itemId),
        ]);
      }
      // An item reported twice in one read (a page repeated, a change mid-read): its last word counts.
      const latest = new Map(changes.items.map((i) => [i.itemId, i]));
      const rows = [...latest.values()].flatMap((i) => i.busy.map((b) => ({ item: i.itemId, ...b })));
      if (rows.length > 0) {
        // Never our own events, even one whose tag the read could not see (Graph delta, older events).
        await client.query(
          `INSERT INTO busy_intervals (connection_id, item_id, starts_at, ends_at)
           SELECT $1, i, s, e FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS t(i, s, e)
            WHERE NOT EXISTS (SELECT 1 FROM calendar_events ce WHERE ce.connection_id = $1 AND ce.external_event_id = t.i)`,
          [connectionId, rows.map((r) => r.item), rows.map((r) => r.start), rows.map((r) => r.end)],
        );
      }
      await client.query(
        `UPDATE calendar_connections
            SET busy_synced_at = now(), busy_error = NULL, busy_window_from = $2, busy_window_to = $3,
                -- A read that works again ends the error a failed one put the account in (a known
                -- cause has its own cure: see src/domain/account-health).
                last_error = CASE WHEN status = 'error' AND error_kind IS NULL THEN NULL ELSE last_error END,
                status = CASE WHEN status = 'error' AND error_kind IS NULL THEN 'active' ELSE status END,
                busy_cursor = $4, busy_cursor_calendar = $5,
                -- A full read after an expired cursor covered the old window: the daily one stays due.
                busy_full_read_at = CASE WHEN $6 AND NOT $7 THEN now() ELSE busy_full_read_at END,
                busy_cursor_expiries = busy_cursor_expiries + CASE WHEN $7 THEN 1 ELSE 0 END,
                busy_read_started_at = $8
          WHERE id = $1`,
        [connectionId, window.from, window.to, cursor, calendarId, changes.mode === 'full', changes.cursorExpired, detection.startedAt],
      );
      return result;
    });
  }

  async recordError(accountId: string, message: string, final = false): Promise<void> {
    await this.pool.query(
      `UPDATE calendar_connections
          SET busy_error = $2,
              status = CASE WHEN $3 AND status = 'active' THEN 'error' ELSE status END,
              last_error = CASE WHEN $3 AND status IN ('active', 'error') THEN $2 ELSE last_error END,
              updated_at = CASE WHEN $3 THEN now() ELSE updated_at END
        WHERE id = $1`,
      [accountId, message.slice(0, 500), final],
    );
  }

  async forUser(userId: string, from: Date, to: Date): Promise<CalendarAccountBusy[]> {
    const { rows } = await this.pool.query<{
      id: string;
      provider: string;
      busy_synced_at: Date | null;
      busy_window_from: Date | null;
      busy_window_to: Date | null;
      busy_error: string | null;
      starts: Date[] | null;
      ends: Date[] | null;
    }>(
      `SELECT c.id, c.provider, c.busy_synced_at, c.busy_window_from, c.busy_window_to, c.busy_error,
              array_agg(b.starts_at ORDER BY b.starts_at) FILTER (WHERE b.starts_at IS NOT NULL) AS starts,
              array_agg(b.ends_at ORDER BY b.starts_at) FILTER (WHERE b.starts_at IS NOT NULL) AS ends
         FROM calendar_connections c
         LEFT JOIN busy_intervals b ON b.connection_id = c.id AND b.starts_at < $3 AND b.ends_at > $2
        WHERE c.user_id = $1 AND c.status <> 'disconnected'
        GROUP BY c.id
        ORDER BY c.created_at`,
      [userId, from, to],
    );
    return rows.map((r) => ({
      connectionId: r.id,
      provider: r.provider,
      syncedAt: r.busy_synced_at,
      window: r.busy_window_from && r.busy_window_to ? { from: r.busy_window_from, to: r.busy_window_to } : null,
      lastError: r.busy_error,
      intervals: (r.starts ?? []).map((s, i) => ({ start: s, end: r.ends![i]! })),
    }));
  }
}
