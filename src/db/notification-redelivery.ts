import type { Pool } from 'pg';
import type { NotificationStatus } from './notifications';

/** A stored notification as a redelivery finds it: its status before, or `not_found`. */
export type RequeueResult = { found: true; previous: NotificationStatus } | { found: false };

/** Puts a stored notification back in delivery (migration 0012's table), for an operator's redelivery. */
export interface NotificationRequeueStore {
  /**
   * Marks the notification `pending` again (the delivery activity sends only pending ones) and
   * says what it was. A pending one is left as it is.
   */
  requeue(id: string): Promise<RequeueResult>;
}

export class PgNotificationRequeueStore implements NotificationRequeueStore {
  constructor(private readonly pool: Pool) {}

  async requeue(id: string): Promise<RequeueResult> {
    // The old status comes from the row as it was before the update (a self-join on the same snapshot).
    const { rows } = await this.pool.query<{ previous: NotificationStatus }>(
      `UPDATE notifications AS n SET status = 'pending'
         FROM notifications AS before
        WHERE n.id = $1 AND before.id = n.id
        RETURNING before.status AS previous`,
      [id],
    );
    return rows[0] ? { found: true, previous: rows[0].previous } : { found: false };
  }
}
