import type { Queryable } from './pool';

/** Each calendar account's request budget, a token bucket shared by every worker. */
export interface ProviderBudgetStore {
  /**
   * Takes one token of `key`'s bucket (refilled at `perSecond`, holding at most `burst`): true, or
   * false when the bucket holds less than one.
   */
  tryTake(key: string, perSecond: number, burst: number): Promise<boolean>;
}

export class PgProviderBudgetStore implements ProviderBudgetStore {
  constructor(private readonly db: Queryable) {}

  /** One statement: the refill and the take are one atomic update, whichever worker asks. */
  async tryTake(key: string, perSecond: number, burst: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO provider_request_budget AS b (key, tokens, refilled_at) VALUES ($1, $3::float8 - 1, now())
       ON CONFLICT (key) DO UPDATE
         SET tokens = LEAST($3::float8, b.tokens + EXTRACT(EPOCH FROM now() - b.refilled_at)::float8 * $2::float8) - 1, refilled_at = now()
         WHERE LEAST($3::float8, b.tokens + EXTRACT(EPOCH FROM now() - b.refilled_at)::float8 * $2::float8) >= 1`,
      [key, perSecond, burst],
    );
    return rowCount === 1;
  }
}
