import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import { BookingPersonalSeal, personalDataAad } from './booking-personal-data';
import { verifierAad } from './oauth-flows';
import { withTransaction } from './pool';
import { sealClearBookings } from './seal-clear-bookings';
import { aad, type SealedColumn } from './sealed-columns';

export interface ReencryptSummary {
  keyId: string;
  connections: { reencrypted: number; current: number };
  oauthFlows: { reencrypted: number };
  failed: Array<{ connectionId: string; error: string }>;
  /** Bookings' personal data: `sealed` from the clear shape, `reencrypted` from an older key or form. */
  bookings: { sealed: number; reencrypted: number; failed: Array<{ bookingId: string; error: string }> };
}

/**
 * Key rotation (`node dist/main.js reencrypt`): every stored secret and every booking's personal
 * data re-sealed under the newest key, in the current form.
 */
export interface SecretReencryption {
  reencryptAll(batch?: number): Promise<ReencryptSummary>;
}

const COLUMNS: SealedColumn[] = ['account_email', 'access_token', 'refresh_token', 'password'];

/**
 * Re-seals every stored secret under the newest key (the first of ENCRYPTION_KEYS), row by row,
 * while the service keeps running: each row is re-read under the same per-account lock that
 * token refreshes take, so a refresh in between is never overwritten with an older token.
 * Idempotent; safe to stop and run again.
 */
export class PgSecretReencryption implements SecretReencryption {
  constructor(
    private readonly pool: Pool,
    private readonly box: SecretBox,
  ) {}

  async reencryptAll(batch = 100): Promise<ReencryptSummary> {
    const keyId = this.box.currentKeyId;
    const summary: ReencryptSummary = {
      keyId,
      connections: { reencrypted: 0, current: 0 },
      oauthFlows: { reencrypted: 0 },
      failed: [],
      bookings: { sealed: 0, reencrypted: 0, failed: [] },
    };
    // Version and key id (`v2:<id>:`): a value under the newest key in the older form is re-sealed too.
    // Compared as a plain prefix (starts_with): LIKE would read "_" and "%" in a key id as wildcards.
    const prefix = this.box.currentPrefix;
    const failed = new Set<string>();
    for (;;) {
      const { rows } = await this.pool.query<{ id: string }>(
        `SELECT id FROM calendar_connections
          WHERE (NOT starts_with(account_email_enc, $1) OR NOT starts_with(access_token_enc, $1)
                 OR NOT starts_with(refresh_token_enc, $1) OR NOT starts_with(password_enc, $1))
            AND NOT (id = ANY($2::uuid[]))
          ORDER BY id LIMIT $3`,
        [prefix, [...failed], batch],
      );
      if (rows.length === 0) break;
      for (const { id } of rows) {
        try {
          await withTransaction(this.pool, async (client) => {
            await client.query(`SELECT pg_advisory_xact_lock(hashtext('calendar_connection:' || $1))`, [id]);
            const row = (
              await client.query<Record<string, string | null>>(
                'SELECT account_email_enc, access_token_enc, refresh_token_enc, password_enc FROM calendar_connections WHERE id = $1 FOR UPDATE',
                [id],
              )
            ).rows[0];
            if (!row) return;
            const next = COLUMNS.map((c) => {
              const sealed = row[`${c}_enc`];
              if (!sealed || sealed.startsWith(prefix)) return sealed ?? null;
              return this.box.seal(this.box.open(sealed, aad(c, id)), aad(c, id));
            });
            await client.query(
              'UPDATE calendar_connections SET account_email_enc = $2, access_token_enc = $3, refresh_token_enc = $4, password_enc = $5 WHERE id = $1',
              [id, ...next],
            );
          });
          summary.connections.reencrypted += 1;
        } catch (err) {
          failed.add(id);
          summary.failed.push({ connectionId: id, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    const current = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM calendar_connections
        WHERE starts_with(coalesce(account_email_enc, $1), $1) AND starts_with(coalesce(access_token_enc, $1), $1)
          AND starts_with(coalesce(refresh_token_enc, $1), $1) AND starts_with(coalesce(password_enc, $1), $1)`,
      [prefix],
    );
    summary.connections.current = current.rows[0]?.n ?? 0;
    // Connect flows live 15 minutes; re-seal the open ones so removing the old key cannot break them.
    const flows = await this.pool.query<{ id: string; code_verifier_enc: string }>(
      `SELECT id, code_verifier_enc FROM oauth_flows WHERE NOT starts_with(code_verifier_enc, $1) AND expires_at > now()`,
      [prefix],
    );
    for (const f of flows.rows) {
      const where = verifierAad(f.id);
      try {
        await this.pool.query('UPDATE oauth_flows SET code_verifier_enc = $2 WHERE id = $1', [
          f.id,
          this.box.seal(this.box.open(f.code_verifier_enc, where), where),
        ]);
        summary.oauthFlows.reencrypted += 1;
      } catch {
        // A flow sealed under a key that is gone cannot complete anyway; it expires on its own.
      }
    }
    await this.reencryptBookings(prefix, batch, summary.bookings);
    return summary;
  }

  /**
   * Bookings' personal data: rows still in the clear shape sealed, then every sealed value not
   * under the newest key re-sealed, each row re-read under its row lock so a projection written
   * meanwhile (sealed under the newest key already) is never overwritten with an older one.
   */
  private async reencryptBookings(prefix: string, batch: number, out: ReencryptSummary['bookings']): Promise<void> {
    out.sealed = await sealClearBookings(this.pool, new BookingPersonalSeal(this.box), batch);
    const failed = new Set<string>();
    for (;;) {
      const { rows } = await this.pool.query<{ booking_id: string }>(
        `SELECT booking_id FROM bookings
          WHERE personal_enc IS NOT NULL AND NOT starts_with(personal_enc, $1) AND NOT (booking_id = ANY($2::text[]))
          ORDER BY booking_id LIMIT $3`,
        [prefix, [...failed], batch],
      );
      if (rows.length === 0) return;
      for (const { booking_id: id } of rows) {
        try {
          await withTransaction(this.pool, async (client) => {
            const sealed = (
              await client.query<{ personal_enc: string | null }>('SELECT personal_enc FROM bookings WHERE booking_id = $1 FOR UPDATE', [
                id,
              ])
            ).rows[0]?.personal_enc;
            if (!sealed || sealed.startsWith(prefix)) return;
            const where = personalDataAad(id);
            await client.query('UPDATE bookings SET personal_enc = $2 WHERE booking_id = $1', [
              id,
              this.box.seal(this.box.open(sealed, where), where),
            ]);
          });
          out.reencrypted += 1;
        } catch (err) {
          failed.add(id);
          out.failed.push({ bookingId: id, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
  }
}
