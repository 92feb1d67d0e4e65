import type { Pool } from 'pg';
import type { NotificationType } from '../domain/notifications';
export type NotificationStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationRecord {
  id: string;
  type: NotificationType;
  /** Ids and states only: never a token, password or e-mail address. */
  data: Record<string, unknown>;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** Where a page of the newest-first list ended: the last row's creation time (µs) and id. */
export interface NotificationPosition {
  createdMicros: string;
  id: string;
}

export interface NotificationPage {
  notifications: NotificationRecord[];
  /** Set when more rows follow: the position of the page's last row. */
  next: NotificationPosition | null;
}

interface Row {
  id: string;
  type: NotificationType;
  data: Record<string, unknown>;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const toRecord = (r: Row): NotificationRecord => ({
  id: r.id,
  type: r.type,
  data: r.data,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

/** `reopened`: it was delivered or failed, so any run of it still open is past its delivery. */
export interface Reopened {
  record: NotificationRecord;
  reopened: boolean;
}

/** Notifications to the booking system (migration 0012). */
export interface NotificationStore {
  /** Idempotent: recording the same id twice keeps the first. */
  record(id: string, type: NotificationType, data: Record<string, unknown>): Promise<void>;
  get(id: string): Promise<NotificationRecord | undefined>;
  attemptFailed(id: string, error: string): Promise<void>;
  delivered(id: string): Promise<void>;
  failed(id: string): Promise<void>;
  /** Newest first (then by id), after `after` when given. */
  page(status: NotificationStatus | undefined, after: NotificationPosition | null, limit: number): Promise<NotificationPage>;
  /**
   * A delivered or failed notification back to `pending` for a redelivery: the record as it now
   * is, and whether this call moved it (undefined: unknown id).
   */
  reopen(id: string): Promise<Reopened | undefined>;
}

export class PgNotificationStore implements NotificationStore {
  constructor(private readonly pool: Pool) {}

  async record(id: string, type: NotificationType, data: Record<string, unknown>): Promise<void> {
    await this.pool.query('INSERT INTO notifications (id, type, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
      id,
      type,
      JSON.stringify(data),
    ]);
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM notifications WHERE id = $1', [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async attemptFailed(id: string, error: string): Promise<void> {
    await this.pool.query('UPDATE notifications SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [id, error.slice(0, 500)]);
  }

  async delivered(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE notifications SET attempts = attempts + 1, status = 'delivered', delivered_at = now(), last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  async failed(id: string): Promise<void> {
    await this.pool.query(`UPDATE notifications SET status = 'failed' WHERE id = $1 AND status = 'pending'`, [id]);
  }

  async page(status: NotificationStatus | undefined, after: NotificationPosition | null, limit: number): Promise<NotificationPage> {
    const { rows } = await this.pool.query<Row & { created_us: string }>(
      `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us
         FROM notifications
        WHERE ($1::text IS NULL OR status = $1)
          AND ($2::bigint IS NULL OR (created_at, id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [status ?? null, after?.createdMicros ?? null, after?.id ?? '00000000-0000-0000-0000-000000000000', limit + 1],
    );
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    return { notifications: shown.map(toRecord), next: more && last ? { createdMicros: last.created_us, id: last.id } : null };
  }

  async reopen(id: string): Promise<Reopened | undefined> {
    // Attempts keep counting across redeliveries; delivered_at is set again by the next success.
    const { rows } = await this.pool.query<Row & { reopened: boolean }>(
      `WITH reopened AS (
         UPDATE notifications SET status = 'pending', delivered_at = NULL WHERE id = $1 AND status <> 'pending' RETURNING *
       )
       SELECT *, true AS reopened FROM reopened
       UNION ALL SELECT *, false AS reopened FROM notifications WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM reopened)`,
      [id],
    );
    return rows[0] ? { record: toRecord(rows[0]), reopened: rows[0].reopened } : undefined;
  }
}
