import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BookingPersonalSeal } from '../../src/db/booking-personal-data';
import { PgCalendarEventStore, type EventOutcome } from '../../src/db/calendar-events';
import { createPool } from '../../src/db/pool';
import { PgSyncLogStore } from '../../src/db/sync-log';
import { PgUserErasureStore } from '../../src/db/user-erasure';
import { SecretBox } from '../../src/crypto/secret-box';
import { eventually } from '../support/eventually';

/**
 * A booking workflow's provider call that started before its participant was erased and ends
 * after: what it records must not bring back rows naming the user, whichever commits first.
 */
const pool = createPool(inject('databaseUrl'), 6);
afterAll(async () => {
  await pool.end();
});

const erasures = new PgUserErasureStore(pool, new BookingPersonalSeal(new SecretBox([{ id: 'k', key: Buffer.alloc(32) }])));
const subject = (userId: string) => ({ keyId: 'k', hash: `hash-${userId}` });

/** A user whose only calendar account was disconnected (as erasure waits for), and a booking of theirs. */
async function disconnectedUser(): Promise<{ userId: string; connectionId: string; bookingId: string }> {
  const userId = `erased-${randomUUID()}`;
  const connectionId = randomUUID();
  await pool.query(`INSERT INTO calendar_connections (id, user_id, provider, status) VALUES ($1, $2, 'google', 'disconnected')`, [
    connectionId,
    userId,
  ]);
  return { userId, connectionId, bookingId: `b-${randomUUID()}` };
}

function outcome(u: { userId: string; connectionId: string; bookingId: string }): EventOutcome {
  return {
    ...u,
    provider: 'google',
    revision: 2,
    operation: 'create',
    externalEventId: `ev-${randomUUID()}`,
    etag: undefined,
    calendarId: 'primary',
  };
}

const retrying = (u: { userId: string; connectionId: string; bookingId: string }) => ({
  ...u,
  provider: 'google',
  operation: 'create' as const,
  outcome: 'retrying' as const,
  detail: 'attempt 1: timeout',
});

/** Rows naming the user in the tables a calendar write records into. */
async function rowsNaming(userId: string, connectionId: string): Promise<{ events: number; log: number }> {
  const { rows } = await pool.query<{ events: number; log: number }>(
    `SELECT (SELECT count(*)::int FROM calendar_events WHERE user_id = $1 OR connection_id = $2) AS events,
            (SELECT count(*)::int FROM sync_log WHERE user_id = $1 OR connection_id = $2) AS log`,
    [userId, connectionId],
  );
  return rows[0]!;
}

/** Runs `work` in a transaction of its own that stays open until the returned commit is called. */
async function openTransaction(work: (client: PoolClient) => Promise<unknown>): Promise<{ pid: number; commit: () => Promise<void> }> {
  const client = await pool.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await client.query('BEGIN');
  try {
    await work(client);
  } catch (err) {
    await client.query('ROLLBACK');
    client.release();
    throw err;
  }
  return {
    pid,
    commit: async () => {
      await client.query('COMMIT');
      client.release();
    },
  };
}

/** How many backends wait for a lock that the backend `pid` holds. */
async function waitingFor(pid: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
    [pid],
  );
  return rows[0]!.n;
}

describe('a calendar write that ends after its user was erased (PostgreSQL)', () => {
  it('records nothing once the erasure committed: no outcome, no failure, no audit row', async () => {
    const u = await disconnectedUser();
    await erasures.erase(u.userId, subject(u.userId));
    const events = new PgCalendarEventStore(pool);
    await expect(events.recordOutcome(outcome(u))).resolves.toEqual({ bookingChangedAt: null });
    await events.recordFailure({ ...u, provider: 'google', revision: 3, operation: 'update', error: 'refused' });
    await new PgSyncLogStore(pool).append([retrying(u)]);
    expect(await rowsNaming(u.userId, u.connectionId)).toEqual({ events: 0, log: 0 });
  });

  it('a write whose transaction holds the account when the erasure starts: the erasure waits for it and then deletes what it recorded', async () => {
    const u = await disconnectedUser();
    const write = await openTransaction(async (client) => {
      await new PgCalendarEventStore(client).recordOutcome(outcome(u));
      await new PgSyncLogStore(client).append([retrying(u)]);
    });
    const erased = erasures.erase(u.userId, subject(u.userId));
    // The erasure is held by the write's lock on the account (at whichever of its statements).
    try {
      await eventually(async () => ((await waitingFor(write.pid)) === 1 ? true : undefined), 'the erasure to wait', 20_000);
    } finally {
      await write.commit();
    }
    await erased;
    expect(await rowsNaming(u.userId, u.connectionId)).toEqual({ events: 0, log: 0 });
  });

  it('a write that waits for an erasure holding the account records nothing once the erasure commits', async () => {
    const u = await disconnectedUser();
    // Stands in for the erasure's transaction: the account locked, deleted, committed later.
    const erasure = await openTransaction(async (client) => {
      await client.query('SELECT id FROM calendar_connections WHERE id = $1 FOR UPDATE', [u.connectionId]);
      await client.query('DELETE FROM calendar_connections WHERE id = $1', [u.connectionId]);
    });
    const events = new PgCalendarEventStore(pool);
    const late = Promise.all([events.recordOutcome(outcome(u)), new PgSyncLogStore(pool).append([retrying(u)])]);
    try {
      await eventually(async () => ((await waitingFor(erasure.pid)) === 2 ? true : undefined), 'both writes to wait', 20_000);
    } finally {
      await erasure.commit();
    }
    await late;
    expect(await rowsNaming(u.userId, u.connectionId)).toEqual({ events: 0, log: 0 });
  });

  it('a disconnected account that was not erased still gets its outcomes and audit rows recorded', async () => {
    const u = await disconnectedUser();
    const events = new PgCalendarEventStore(pool);
    await events.recordOutcome(outcome(u));
    await new PgSyncLogStore(pool).append([retrying(u)]);
    expect(await rowsNaming(u.userId, u.connectionId)).toEqual({ events: 1, log: 2 });
  });
});
