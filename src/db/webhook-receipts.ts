import type { Pool } from 'pg';
import { withTransaction } from './pool';

export type ReceiptOutcome =
  /** First delivery (or a redelivery of one never applied): applied now. */
  | 'applied'
  /** Already applied: acknowledge, do nothing. */
  | 'duplicate'
  /** The id was used before for a different body. */
  | 'conflict';

export interface Receipt {
  id: string;
  type: string;
  bookingId: string;
  bodySha256: string;
}

/** Receipts of signed booking webhooks (migration 0009). */
export interface WebhookReceipts {
  /**
   * Runs `apply` for the first delivery of an id only. The receipt is written in the same
   * transaction and committed once `apply` has returned, so concurrent deliveries of the id wait
   * on its row and then find it applied; if `apply` throws, the receipt is rolled back and the
   * sender's retry applies it. `apply` must not wait on the database: the transaction holds a connection.
   */
  applyOnce(receipt: Receipt, apply: () => Promise<void>): Promise<ReceiptOutcome>;
  /** Receipts older than `days`: senders stop redelivering long before. */
  purgeOlderThan(days: number): Promise<number>;
}

export class PgWebhookReceipts implements WebhookReceipts {
  constructor(private readonly pool: Pool) {}

  async applyOnce(receipt: Receipt, apply: () => Promise<void>): Promise<ReceiptOutcome> {
    const outcome = await withTransaction(this.pool, async (client): Promise<ReceiptOutcome | undefined> => {
      // Waits while another delivery of the id holds its uncommitted row.
      const inserted = await client.query(
        `INSERT INTO webhook_receipts (id, type, booking_id, body_sha256, applied_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (id) DO NOTHING`,
        [receipt.id, receipt.type, receipt.bookingId, receipt.bodySha256],
      );
      if (inserted.rowCount === 1) {
        await apply();
        return 'applied';
      }
      const { rows } = await client.query<{ body_sha256: string; applied_at: Date | null }>(
        `SELECT body_sha256, applied_at FROM webhook_receipts WHERE id = $1 FOR UPDATE`,
        [receipt.id],
      );
      const row = rows[0];
      if (!row) return undefined;
      if (row.body_sha256 !== receipt.bodySha256) return 'conflict';
      if (row.applied_at) return 'duplicate';
      // Left open by an earlier version, which recorded a receipt before applying it.
      await apply();
      await client.query(`UPDATE webhook_receipts SET applied_at = now() WHERE id = $1`, [receipt.id]);
      return 'applied';
    });
    // Purged in between: a first delivery again.
    return outcome ?? this.applyOnce(receipt, apply);
  }

  async purgeOlderThan(days: number): Promise<number> {
    const deleted = await this.pool.query(`DELETE FROM webhook_receipts WHERE received_at < now() - make_interval(days => $1)`, [days]);
    return deleted.rowCount ?? 0;
  }
}
