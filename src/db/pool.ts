import { Pool, type PoolClient } from 'pg';
import { databaseQueries } from '../metrics/metrics';
import { countQueries } from './query-count';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pool | PoolClient;

export function createPool(url: string, max = 10): Pool {
  // A server that does not answer fails the query in seconds (503 database_unavailable), not after the TCP timeout.
  const pool = new Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  countQueries(pool, (statement) => databaseQueries.inc({ statement }));
  return pool;
}

/** Runs `work` in one transaction on one client, rolling back on any error. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
