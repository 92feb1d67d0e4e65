import type { Pool } from 'pg';
import type { ExternalEdit } from '../domain/busy-reports';
import { redactPersonal } from '../domain/personal-redaction';
import type { BusyWindow } from '../providers/types';
import { PgExternalEditStore, type EditDetection } from './external-edits';
import type { CalendarReadSummary, CalendarsToRead } from '../domain/busy-calendars';
import { withTransaction, type Queryable } from './pool';

export interface CalendarAccountBusy {
  connectionId: string;
  provider: string;
  /** Each calendar that counts for conflicts, with its last read; empty before the first read. */
  calendars: CalendarReadSummary[];
  intervals: Array<{ start: Date; end: Date }>;
}

/** Where the previous read of one of a calendar account's calendars left off. */
export interface ReadState {
  /** The database's clock as this read begins: writes recorded before it are visible to the read. */
  startedAt: Date;
  cursor: string | null;
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

/** A newer read of the calendar was applied while this one ran, or it stopped being read: this one is dropped. */
export class StaleReadError extends Error {
  constructor() {
    super('a newer read of this calendar was applied first, or it is no longer read');
    this.name = 'StaleReadError';
  }
}

/** Busy times per calendar account and calendar (migrations 0010, 0013, 0026). */
export interface BusyStore {
  /** The calendars the user chose to count for conflicts; null: the default. */
  chosenCalendars(accountId: string): Promise<string[] | null>;
  /** Stores the user's choice (null: the default) and applies it (see `countCalendars`), in one transaction. */
  chooseCalendars(accountId: string, chosen: string[] | null, calendars: CalendarsToRead): Promise<void>;
  /**
   * Makes these the account's calendars to read: the busy times of a calendar that no longer
   * counts are forgotten at once (with its read state, when it is not read any more); a new one
   * starts unread.
   */
  countCalendars(accountId: string, calendars: CalendarsToRead): Promise<void>;
  readState(accountId: string, calendarId: string): Promise<ReadState>;
  /**
   * Applies one read of one calendar in a transaction: a full read replaces everything known of
   * that calendar; an incremental one replaces the intervals of the items it reports. Our own
   * events in it are judged in the same transaction, which also decides the cursor the next read
   * starts from. Returns the account's edits not reported yet; throws StaleReadError when a newer
   * read of the calendar was applied meanwhile, or the calendar stopped counting.
   */
  applyRead(detection: EditDetection): Promise<ExternalEdit[]>;
  /**
   * Records why a read of a calendar failed. `final` (not retried: a refusal, a server beyond
   * this service's limits) for the calendar events are written to also puts an active account in
   * `error` with that message, until a read of it succeeds (AccountHealthStore.heal ends it).
   */
  recordError(accountId: string, calendarId: string, message: string, final?: boolean): Promise<void>;
  /** The user's active calendar accounts with their counted calendars' busy intervals overlapping [from, to). */
  forUser(userId: string, from: Date, to: Date): Promise<CalendarAccountBusy[]>;
}

export class PgBusyStore implements BusyStore {
  constructor(private readonly pool: Pool) {}

  async chosenCalendars(accountId: string): Promise<string[] | null> {
    const { rows } = await this.pool.query<{ ids: string[] | null }>(
      'SELECT busy_calendar_ids AS ids FROM calendar_connections WHERE id = $1',
      [accountId],
    );
    return rows[0]?.ids ?? null;
  }

  async chooseCalendars(accountId: string, chosen: string[] | null, calendars: CalendarsToRead): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await countIn(client, accountId, calendars);
      await client.query('UPDATE calendar_connections SET busy_calendar_ids = $2, updated_at = now() WHERE id = $1', [accountId, chosen]);
    });
  }

  async countCalendars(accountId: string, calendars: CalendarsToRead): Promise<void> {
    await withTransaction(this.pool, (client) => countIn(client, accountId, calendars));
  }

  async readState(accountId: string, calendarId: string): Promise<ReadState> {
    const { rows } = await this.pool.query<{
      now: Date;
      cursor: string | null;
      window_from: Date | null;
      window_to: Date | null;
      full_read_at: Date | null;
      read_started_at: Date | null;
    }>(
      `SELECT now(), s.cursor, s.window_from, s.window_to, s.full_read_at, s.read_started_at
         FROM (SELECT 1) AS one LEFT JOIN busy_calendars s ON s.connection_id = $1 AND s.calendar_id = $2`,
      [accountId, calendarId],
    );
    const row = rows[0]!;
    return {
      startedAt: row.now,
      cursor: row.cursor,
      window: row.window_from && row.window_to ? { from: row.window_from, to: row.window_to } : null,
      fullReadAt: row.full_read_at,
      previousStartedAt: row.read_started_at,
    };
  }

  async applyRead(detection: EditDetection): Promise<ExternalEdit[]> {
    const { connectionId, changes, calendarId, window } = detection;
    return withTransaction(this.pool, async (client) => {
      // The account row first, as countIn takes it: a change of the counted calendars waits, no deadlock.
      await client.query('SELECT 1 FROM calendar_connections WHERE id = $1 FOR NO KEY UPDATE', [connectionId]);
      // One read at a time: an attempt that timed out but still finished must not overwrite a newer read.
      const { rows: current } = await client.query<{ read_started_at: Date | null; counts: boolean }>(
        'SELECT read_started_at, counts FROM busy_calendars WHERE connection_id = $1 AND calendar_id = $2 FOR UPDATE',
        [connectionId, calendarId],
      );
      // No row: the calendar stopped being read while it was read.
      if (current.length === 0) throw new StaleReadError();
      const { read_started_at: newer, counts } = current[0]!;
      if (newer && newer > detection.startedAt) throw new StaleReadError();
      const { result, cursor: decision } = await new PgExternalEditStore(client).detect(detection);
      const cursor = decision.readFullNext
        ? null
        : decision.keepPreviousCursor && changes.mode === 'incremental'
          ? detection.previousCursor
          : (changes.cursor ?? null);
      if (changes.mode === 'full') {
        await client.query('DELETE FROM busy_intervals WHERE connection_id = $1 AND calendar_id = $2', [connectionId, calendarId]);
      } else if (changes.items.length > 0) {
        await client.query('DELETE FROM busy_intervals WHERE connection_id = $1 AND calendar_id = $2 AND item_id = ANY($3::text[])', [
          connectionId,
          calendarId,
          changes.items.map((i) => i.itemId),
        ]);
      }
      // An item reported twice in one read (a page repeated, a change mid-read): its last word counts.
      const latest = new Map(changes.items.map((i) => [i.itemId, i]));
      // A calendar read only for our events (see busy_calendars.counts) keeps no busy times.
      const rows = counts ? [...latest.values()].flatMap((i) => i.busy.map((b) => ({ item: i.itemId, ...b }))) : [];
      if (rows.length > 0) {
        // Never our own events, even one whose tag the read could not see (Graph delta, older events).
        await client.query(
          `INSERT INTO busy_intervals (connection_id, calendar_id, item_id, starts_at, ends_at)
           SELECT $1, $2, i, s, e FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[]) AS t(i, s, e)
            WHERE NOT EXISTS (SELECT 1 FROM calendar_events ce WHERE ce.connection_id = $1 AND ce.external_event_id = t.i)`,
          [connectionId, calendarId, rows.map((r) => r.item), rows.map((r) => r.start), rows.map((r) => r.end)],
        );
      }
      await client.query(
        `UPDATE busy_calendars
            SET synced_at = now(), error = NULL, window_from = $3, window_to = $4, cursor = $5,
                -- A full read after an expired cursor covered the old window: the daily one stays due.
                full_read_at = CASE WHEN $6 AND NOT $7 THEN now() ELSE full_read_at END,
                cursor_expiries = cursor_expiries + CASE WHEN $7 THEN 1 ELSE 0 END,
                read_started_at = $8
          WHERE connection_id = $1 AND calendar_id = $2`,
        [connectionId, calendarId, window.from, window.to, cursor, changes.mode === 'full', changes.cursorExpired, detection.startedAt],
      );
      return result;
    });
  }

  async recordError(accountId: string, calendarId: string, message: string, final = false): Promise<void> {
    const text = redactPersonal(message).slice(0, 500);
    await this.pool.query('UPDATE busy_calendars SET error = $3 WHERE connection_id = $1 AND calendar_id = $2', [
      accountId,
      calendarId,
      text,
    ]);
    if (!final) return;
    await this.pool.query(
      `UPDATE calendar_connections
          SET status = CASE WHEN status = 'active' THEN 'error' ELSE status END,
              last_error = CASE WHEN status IN ('active', 'error') THEN $3 ELSE last_error END,
              updated_at = now()
        WHERE id = $1 AND calendar_id = $2`,
      [accountId, calendarId, text],
    );
  }

  async forUser(userId: string, from: Date, to: Date): Promise<CalendarAccountBusy[]> {
    const { rows } = await this.pool.query<{
      id: string;
      provider: string;
      starts: Date[] | null;
      ends: Date[] | null;
    }>(
      `SELECT c.id, c.provider,
              array_agg(b.starts_at ORDER BY b.starts_at) FILTER (WHERE b.starts_at IS NOT NULL) AS starts,
              array_agg(b.ends_at ORDER BY b.starts_at) FILTER (WHERE b.starts_at IS NOT NULL) AS ends
         FROM calendar_connections c
         LEFT JOIN busy_intervals b ON b.connection_id = c.id AND b.starts_at < $3 AND b.ends_at > $2
        WHERE c.user_id = $1 AND c.status <> 'disconnected'
        GROUP BY c.id
        ORDER BY c.created_at`,
      [userId, from, to],
    );
    const { rows: reads } = await this.pool.query<{
      connection_id: string;
      calendar_id: string;
      synced_at: Date | null;
      window_from: Date | null;
      window_to: Date | null;
      error: string | null;
    }>(
      `SELECT connection_id, calendar_id, synced_at, window_from, window_to, error
         FROM busy_calendars WHERE connection_id = ANY($1::uuid[]) AND counts ORDER BY calendar_id`,
      [rows.map((r) => r.id)],
    );
    return rows.map((r) => ({
      connectionId: r.id,
      provider: r.provider,
      calendars: reads
        .filter((s) => s.connection_id === r.id)
        .map((s) => ({
          calendarId: s.calendar_id,
          syncedAt: s.synced_at,
          window: s.window_from && s.window_to ? { from: s.window_from, to: s.window_to } : null,
          lastError: s.error,
        })),
      intervals: (r.starts ?? []).map((s, i) => ({ start: s, end: r.ends![i]! })),
    }));
  }
}

/** See BusyStore.countCalendars; on a transaction's client. */
async function countIn(client: Queryable, accountId: string, calendars: CalendarsToRead): Promise<void> {
  // The account row first, as applyRead takes it: a read being applied finishes before, or sees the change.
  await client.query('SELECT 1 FROM calendar_connections WHERE id = $1 FOR NO KEY UPDATE', [accountId]);
  const { read, counted } = calendars;
  await client.query('DELETE FROM busy_intervals WHERE connection_id = $1 AND NOT (calendar_id = ANY($2::text[]))', [accountId, counted]);
  await client.query('DELETE FROM busy_calendars WHERE connection_id = $1 AND NOT (calendar_id = ANY($2::text[]))', [accountId, read]);
  await client.query(
    `INSERT INTO busy_calendars (connection_id, calendar_id, counts)
     SELECT $1, id, id = ANY($3::text[]) FROM unnest($2::text[]) AS t(id)
     ON CONFLICT (connection_id, calendar_id) DO UPDATE
       SET counts = excluded.counts,
           -- Counted again: its busy times were not kept meanwhile, so it starts unread.
           cursor = CASE WHEN excluded.counts AND NOT busy_calendars.counts THEN NULL ELSE busy_calendars.cursor END,
           window_from = CASE WHEN excluded.counts AND NOT busy_calendars.counts THEN NULL ELSE busy_calendars.window_from END,
           window_to = CASE WHEN excluded.counts AND NOT busy_calendars.counts THEN NULL ELSE busy_calendars.window_to END,
           synced_at = CASE WHEN excluded.counts AND NOT busy_calendars.counts THEN NULL ELSE busy_calendars.synced_at END`,
    [accountId, read, counted],
  );
}
