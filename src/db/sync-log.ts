import { redactPersonal } from '../domain/personal-redaction';
import type { Queryable } from './pool';

export type SyncOperation = 'create' | 'update' | 'delete' | 'skip' | 'refresh_token' | 'disconnect' | 'external_delete' | 'external_move';
export type SyncOutcome = 'ok' | 'retrying' | 'failed' | 'needs_reauth';

export interface SyncLogEntry {
  bookingId?: string;
  userId?: string;
  connectionId?: string;
  provider?: string;
  operation: SyncOperation;
  outcome: SyncOutcome;
  revision?: number;
  externalEventId?: string;
  /** Safe text only (typed error messages); never a token or request body. E-mail addresses in it are not stored. */
  detail?: string;
}

/** The audit trail: who, what, when, how it ended. */
export interface SyncLogStore {
  /** Entries naming a calendar account whose row is gone (its user was erased) are dropped. */
  append(entries: SyncLogEntry[]): Promise<void>;
}

/** On the pool, or on a transaction's client so the audit rows commit with its writes. */
export class PgSyncLogStore implements SyncLogStore {
  constructor(private readonly db: Queryable) {}

  async append(entries: SyncLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const rows = entries.map((entry, i) => {
      values.push(
        entry.bookingId ?? null,
        entry.userId ?? null,
        entry.connectionId ?? null,
        entry.provider ?? null,
        entry.operation,
        entry.outcome,
        entry.revision ?? null,
        entry.externalEventId ?? null,
        entry.detail === undefined ? null : redactPersonal(entry.detail),
      );
      const offset = i * 9;
      return `($${offset + 1}, $${offset + 2}, $${offset + 3}::uuid, $${offset + 4}, $${offset + 5}, $${offset + 6}, $${offset + 7}::int, $${offset + 8}, $${offset + 9})`;
    });
    // A row about a calendar account is written only while the account row exists, held against
    // a user's erasure (which locks their accounts first, then deletes them with every row naming
    // the user): an operation ending meanwhile leaves no audit row naming the erased user.
    await this.db.query(
      `INSERT INTO sync_log (booking_id, user_id, connection_id, provider, operation, outcome, revision, external_event_id, detail)
       SELECT * FROM (VALUES ${rows.join(', ')})
           AS entry (booking_id, user_id, connection_id, provider, operation, outcome, revision, external_event_id, detail)
        WHERE entry.connection_id IS NULL
           OR EXISTS (SELECT 1 FROM calendar_connections WHERE id = entry.connection_id FOR KEY SHARE)`,
      values,
    );
  }
}
