import type { Pool } from 'pg';

export type ReceiptClaim =
  /** First delivery, or a redelivery of one whose change may not have been applied: apply it. */
  | { kind: 'apply' }
  /** Already applied: acknowledge, do nothing. */
  | { kind: 'duplicate' }
  /** The id was used before for a different body. */
  | { kind: 'conflict' };

/** Receipts of signed booking webhooks (migration 0009). */
export class WebhookReceipts {
  constructor(private readonly pool: Pool) {}

  async claim(r: { id: string; type: string; bookingId: string; bodySha256: string }): Promise<ReceiptClaim> {
    const inserted = await this.pool.query(
      `INSERT INTO webhook_receipts (id, type, booking_id, body_sha256) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [r.id, r.type, r.bookingId, r.bodySha256],
    );
    if (inserted.rowCount === 1) return { kind: 'apply' };
    const { rows } = await this.pool.query<{ body_sha256: string; applied_at: Date | null }>(
      `SELECT body_sha256, applied_at FROM webhook_receipts WHERE id = $1`,
      [r.id],
    );
    const row = rows[0];
    if (!row) return this.claim(r); // purged in between: a first delivery again
    if (row.body_sha256 !== r.bodySha256) return { kind: 'conflict' };
    return row.applied_at ? { kind: 'duplicate' } : { kind: 'apply' };
  }

  async markApplied(id: string): Promise<void> {
    await this.pool.query(`UPDATE webhook_receipts SET applied_at = now() WHERE id = $1 AND applied_at IS NULL`, [id]);
  }

  /** Receipts older than `days`: senders stop redelivering long before. */
  async purgeOlderThan(days: number): Promise<number> {
    const res = await this.pool.query(`DELETE FROM webhook_receipts WHERE received_at < now() - make_interval(days => $1)`, [days]);
    return res.rowCount ?? 0;
  }
}
