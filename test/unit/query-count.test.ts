import { Pool, type PoolClient } from 'pg';
import { describe, expect, it } from 'vitest';
import { countQueries, statementKind } from '../../src/db/query-count';

describe('statementKind: the label of a counted statement', () => {
  it('names the verb and the first table, whatever the layout', () => {
    expect(statementKind('SELECT count(*) AS n FROM bookings WHERE status = $1')).toBe('select bookings');
    expect(statementKind('\n  INSERT INTO calendar_events (booking_id) VALUES ($1) ON CONFLICT (booking_id) DO UPDATE SET x = 1')).toBe(
      'insert calendar_events',
    );
    expect(statementKind('UPDATE "calendar_connections" SET state = $1')).toBe('update calendar_connections');
    expect(statementKind('DELETE FROM webhook_receipts WHERE received_at < $1')).toBe('delete webhook_receipts');
    expect(statementKind({ text: 'SELECT 1 FROM bookings b JOIN calendar_events e ON true', values: [] })).toBe('select bookings');
  });

  it('a statement without a table is its verb; anything else is other', () => {
    expect(statementKind('BEGIN')).toBe('begin');
    expect(statementKind('select now()')).toBe('select');
    expect(statementKind(42)).toBe('other');
    expect(statementKind('')).toBe('other');
  });
});

describe('countQueries', () => {
  it("counts each statement on a pool's connection, then runs it as before", async () => {
    const pool = new Pool();
    const seen: string[] = [];
    countQueries(pool, (kind) => seen.push(kind));
    const ran: unknown[][] = [];
    const client = {
      query: (...args: unknown[]) => {
        ran.push(args);
        return Promise.resolve({ rows: [{ n: 1 }] });
      },
    } as unknown as PoolClient;
    pool.emit('connect', client);

    await expect(client.query('SELECT 1 FROM bookings WHERE id = $1', ['b1'])).resolves.toEqual({ rows: [{ n: 1 }] });
    await client.query('COMMIT');
    expect(seen).toEqual(['select bookings', 'commit']);
    expect(ran).toEqual([['SELECT 1 FROM bookings WHERE id = $1', ['b1']], ['COMMIT']]);
    await pool.end();
  });
});
