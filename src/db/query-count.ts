import type { Pool, PoolClient } from 'pg';

/** What a statement does and to which table, e.g. `select bookings`, `begin`: few values, never ids. */
export function statementKind(query: unknown): string {
  const text = typeof query === 'string' ? query : typeof query === 'object' && query !== null && 'text' in query ? query.text : '';
  if (typeof text !== 'string') return 'other';
  const verb = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
  if (verb === undefined) return 'other';
  // The first table a statement names; a WITH statement is named by its own verb and table too.
  const table = /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_]*)/i.exec(text)?.[1]?.toLowerCase();
  return table === undefined ? verb : `${verb} ${table}`;
}

/**
 * Counts every statement run on the pool's connections, transactions' included (they run on a
 * client from the pool): the database round trips of the service, read at /metrics.
 */
export function countQueries(pool: Pool, count: (kind: string) => void): void {
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      count(statementKind(args[0]));
      return query(...args);
    }) as PoolClient['query'];
  });
}
