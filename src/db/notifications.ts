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

/** Notifications to the booking system (migration 0012). */
export interface NotificationStore {
  /** Idempotent: recording the same id twice keeps the first. */
  record(id: string, type: NotificationType, data: Record<string, unknown>): Promise<void>;
  get(id: string): Promise<NotificationRecord | undefined>;
  attemptFailed(id: string, error: string): Promise<void>;
  delivered(id: string): Promise<void>;
  failed(id: string): Promise<void>;
  list(status: NotificationStatus | undefined, limit: number): Promise<NotificationRecord[]>;
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

  async list(status: NotificationStatus | undefined, limit: number): Promise<NotificationRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM notifications WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC LIMIT $2`,
      [status ?? null, limit],
    );
    return rows.map(toRecord);
  }
}
