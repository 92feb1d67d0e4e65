import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { ProviderKind } from '../providers/types';

/** `other_browser`: the flow is bound to another browser (its nonce's hash differs). */
export type FlowProblem = 'unknown' | 'expired' | 'already_used' | 'other_browser';

export interface OpenedFlow {
  userId: string;
  provider: ProviderKind;
}

export interface CompletedFlow {
  userId: string;
  provider: ProviderKind;
  returnUrl: string | null;
  codeVerifier: string;
}

interface FlowRow {
  user_id: string;
  provider: ProviderKind;
  return_url: string | null;
  code_verifier_enc: string | null;
  expires_at: Date;
  opened_at: Date | null;
  completed_at: Date | null;
  browser_hash: string | null;
}

/** Where a sealed PKCE verifier lives: part of its authenticated data, so it can't be moved. */
export const verifierAad = (id: string) => `oauth_flows.code_verifier:${id}`;

/** oauth_flows: each step (open the link, complete the callback) succeeds once, atomically. */
export interface OAuthFlowStore {
  /** `browserHash`: the flow is bound to a browser from the start (it began in that browser). */
  create(input: {
    userId: string;
    provider: ProviderKind;
    returnUrl?: string;
    ttlMs: number;
    browserHash?: string;
  }): Promise<{ id: string; expiresAt: Date }>;
  /**
   * Marks the link opened, stores the PKCE verifier and binds the flow to the opening browser
   * (a flow already bound to another browser is refused); a second opening is refused.
   */
  open(id: string, codeVerifier: string, browserHash: string): Promise<OpenedFlow | FlowProblem>;
  /** Consumes the flow for the callback in its own browser; replays, expired, unopened flows and other browsers are refused. */
  complete(id: string, provider: ProviderKind, browserHash: string | null): Promise<CompletedFlow | FlowProblem>;
  recordOutcome(id: string, outcome: string): Promise<void>;
  /** The return URL of a flow that can no longer complete, to send the user back with an error. */
  returnUrlOf(id: string): Promise<string | null>;
  /**
   * Deletes flows expired more than `FLOW_RETENTION_MS` ago (kept that long only so a late click
   * hears "expired" rather than "invalid"); returns how many went.
   */
  purgeExpired(): Promise<number>;
}

/** How long an expired flow is kept before it is purged. */
export const FLOW_RETENTION_MS = 24 * 60 * 60_000;

export class PgOAuthFlowStore implements OAuthFlowStore {
  constructor(
    private readonly pool: Pool,
    private readonly box: SecretBox,
  ) {}

  async create(input: {
    userId: string;
    provider: ProviderKind;
    returnUrl?: string;
    ttlMs: number;
    browserHash?: string;
  }): Promise<{ id: string; expiresAt: Date }> {
    const id = randomBytes(32).toString('base64url');
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO oauth_flows (id, user_id, provider, return_url, expires_at, browser_hash)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond', $6) RETURNING expires_at`,
      [id, input.userId, input.provider, input.returnUrl ?? null, input.ttlMs, input.browserHash ?? null],
    );
    // Old flows are useless after expiry; keep the table small (the API also purges hourly).
    await this.purgeExpired();
    return { id, expiresAt: rows[0]!.expires_at };
  }

  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM oauth_flows WHERE expires_at < now() - $1 * interval '1 millisecond'`, [
      FLOW_RETENTION_MS,
    ]);
    return rowCount ?? 0;
  }

  async open(id: string, codeVerifier: string, browserHash: string): Promise<OpenedFlow | FlowProblem> {
    const { rows } = await this.pool.query<FlowRow>(
      `UPDATE oauth_flows SET opened_at = now(), code_verifier_enc = $2, browser_hash = $3
        WHERE id = $1 AND opened_at IS NULL AND expires_at > now() AND (browser_hash IS NULL OR browser_hash = $3)
        RETURNING *`,
      [id, this.box.seal(codeVerifier, verifierAad(id)), browserHash],
    );
    const row = rows[0];
    if (row) return { userId: row.user_id, provider: row.provider };
    return this.problem(id, 'open');
  }

  async complete(id: string, provider: ProviderKind, browserHash: string | null): Promise<CompletedFlow | FlowProblem> {
    // A request from another browser leaves the flow as it is: it cannot use it up for its owner.
    const { rows } = await this.pool.query<FlowRow>(
      `UPDATE oauth_flows SET completed_at = now()
        WHERE id = $1 AND provider = $2 AND opened_at IS NOT NULL AND completed_at IS NULL AND expires_at > now()
          AND browser_hash = $3
        RETURNING *`,
      [id, provider, browserHash],
    );
    const row = rows[0];
    if (row && row.code_verifier_enc) {
      return {
        userId: row.user_id,
        provider: row.provider,
        returnUrl: row.return_url,
        codeVerifier: this.box.open(row.code_verifier_enc, verifierAad(id)),
      };
    }
    return this.problem(id, 'complete', provider);
  }

  async recordOutcome(id: string, outcome: string): Promise<void> {
    await this.pool.query('UPDATE oauth_flows SET outcome = $2 WHERE id = $1', [id, outcome]);
  }

  async returnUrlOf(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ return_url: string | null }>('SELECT return_url FROM oauth_flows WHERE id = $1', [id]);
    return rows[0]?.return_url ?? null;
  }

  private async problem(id: string, step: 'open' | 'complete', provider?: ProviderKind): Promise<FlowProblem> {
    const { rows } = await this.pool.query<FlowRow>('SELECT * FROM oauth_flows WHERE id = $1', [id]);
    const row = rows[0];
    if (!row || (provider !== undefined && row.provider !== provider)) return 'unknown';
    if (step === 'open' ? row.opened_at : row.completed_at) return 'already_used';
    if (row.expires_at.getTime() <= Date.now()) return 'expired';
    // Not used, not expired, yet refused: bound to another browser (an unopened flow at the callback is unknown).
    if (step === 'open' || row.opened_at) return 'other_browser';
    return 'unknown';
  }
}
