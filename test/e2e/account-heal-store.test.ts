import { randomUUID } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PgAccountHealthStore } from '../../src/db/account-health';
import { PgBusyStore } from '../../src/db/busy-times';
import { createPool } from '../../src/db/pool';

const pool = createPool(inject('databaseUrl'), 3);
const pools: Pool[] = [pool];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** A pool of its own, counting the statements that change calendar_connections (every query runs on one of its clients). */
function countingPool(): { pool: Pool; updates: () => number } {
  let updates = 0;
  const watched = createPool(inject('databaseUrl'), 2);
  watched.on('connect', (client) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    Object.assign(client, {
      query: (text: unknown, ...rest: unknown[]) => {
        const sql = typeof text === 'string' ? text : (text as QueryConfig | undefined)?.text;
        if (sql && /UPDATE\s+calendar_connections/i.test(sql)) updates += 1;
        return query(text, ...rest);
      },
    });
  });
  pools.push(watched);
  return { pool: watched, updates: () => updates };
}

async function accountInError(errorKind: string | null, calendarId = 'primary'): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO calendar_connections (id, user_id, provider, status, last_error, error_kind, calendar_id)
     VALUES ($1, $2, 'google', 'error', 'it failed', $3, $4) RETURNING id`,
    [randomUUID(), `u-${randomUUID()}`, errorKind, calendarId],
  );
  return rows[0]!.id;
}

const status = async (id: string) =>
  (
    await pool.query<{ status: string; error_kind: string | null }>('SELECT status, error_kind FROM calendar_connections WHERE id = $1', [
      id,
    ])
  ).rows[0];

describe('healing after a busy read (PostgreSQL)', () => {
  it('applying a read changes no account row; the one heal ends an error of no known cause for the calendar read', async () => {
    const id = await accountInError(null);
    const { pool: watched, updates } = countingPool();
    const busy = new PgBusyStore(watched);
    await busy.countCalendars(id, { read: ['primary'], counted: ['primary'] });
    const state = await busy.readState(id, 'primary');
    const before = updates();
    await busy.applyRead({
      connectionId: id,
      provider: 'google',
      calendarId: 'primary',
      window: { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) },
      startedAt: state.startedAt,
      previousStartedAt: null,
      previousCursor: null,
      changes: { mode: 'full', cursorExpired: false, items: [] },
    });
    expect(updates() - before).toBe(0);
    expect(await status(id)).toEqual({ status: 'error', error_kind: null });

    const health = new PgAccountHealthStore(watched);
    // No known cause ended: the bookings are not due again; but the account is active, in one update.
    expect(await health.heal(id, ['calendar_not_found'], 'primary')).toBe(false);
    expect(updates() - before).toBe(1);
    expect(await status(id)).toEqual({ status: 'active', error_kind: null });
  });

  it('a read of another calendar than the account writes to does not end an error of no known cause; a known cause heals by kind', async () => {
    const unexplained = await accountInError(null, 'work');
    const health = new PgAccountHealthStore(pool);
    expect(await health.heal(unexplained, ['calendar_not_found'], 'primary')).toBe(false);
    expect(await status(unexplained)).toEqual({ status: 'error', error_kind: null });

    const forbidden = await accountInError('calendar_forbidden');
    expect(await health.heal(forbidden, ['calendar_not_found', 'account_disabled'], 'primary')).toBe(false);
    expect(await status(forbidden)).toEqual({ status: 'error', error_kind: 'calendar_forbidden' });
    expect(await health.heal(forbidden, ['calendar_forbidden'], 'primary')).toBe(true);
    expect(await status(forbidden)).toEqual({ status: 'active', error_kind: null });
  });
});
