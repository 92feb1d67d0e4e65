import type { ProviderKind } from '../providers/types';
import type { Queryable } from './pool';

/** How a bucket refills: `perSecond` tokens a second, holding at most `burst`. */
export interface BudgetPace {
  perSecond: number;
  burst: number;
}

/** Each provider's pace: an account's bucket refills at its provider's. */
export type ProviderPaces = Record<ProviderKind, BudgetPace>;

/** Each calendar account's request budget, a token bucket shared by every worker. */
export interface ProviderBudgetStore {
  /**
   * Takes one token of `key`'s bucket (refilled at `perSecond`, holding at most `burst`): true, or
   * false when the bucket holds less than one.
   */
  tryTake(key: string, perSecond: number, burst: number): Promise<boolean>;
}

/**
 * The take as SQL, the refill and the take one atomic upsert (whichever worker asks), from SQL
 * expressions for the key, the pace and the burst; `source` (a FROM clause) may supply them. A
 * row is returned only when a token was taken.
 */
export function takeTokenStatement(key: string, perSecond: string, burst: string, source = ''): string {
  const refilled = `LEAST(${burst}, b.tokens + EXTRACT(EPOCH FROM now() - b.refilled_at)::float8 * ${perSecond})`;
  return `INSERT INTO provider_request_budget AS b (key, tokens, refilled_at) SELECT ${key}, ${burst} - 1, now() ${source}
       ON CONFLICT (key) DO UPDATE SET tokens = ${refilled} - 1, refilled_at = now() WHERE ${refilled} >= 1
       RETURNING 1`;
}

export class PgProviderBudgetStore implements ProviderBudgetStore {
  constructor(private readonly db: Queryable) {}

  /** One statement: the refill and the take are one atomic update, whichever worker asks. */
  async tryTake(key: string, perSecond: number, burst: number): Promise<boolean> {
    const { rowCount } = await this.db.query(takeTokenStatement('$1::text', '$2::float8', '$3::float8'), [key, perSecond, burst]);
    return rowCount === 1;
  }
}
