import type { Queryable } from './pool';

/** Whether the database answers, for readiness checks. */
export interface DatabaseHealth {
  /** Resolves when a trivial query succeeds; rejects otherwise. */
  ping(): Promise<void>;
}

export class PgDatabaseHealth implements DatabaseHealth {
  constructor(private readonly db: Queryable) {}

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
