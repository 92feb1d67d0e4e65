import { busyWindowAt, DEFAULT_BUSY_WINDOW_MS } from '../../../src/activities/busy-times';
import { PgBusyStore } from '../../../src/db/busy-times';
import { PgCalendarAccountStore } from '../../../src/db/calendar-accounts';
import { createPool } from '../../../src/db/pool';
import { forEachConcurrently } from '../concurrently';
import type { BenchEnvironment } from '../environment';
import { serviceSecretBox } from '../service/repositories';
import { intervalsOf } from './busy-layout';

/** Connections written at once: PostgreSQL and the bench share the two cores. */
const CONCURRENCY = 8;

/**
 * Stores `users` users' busy times in the service's database through its own repositories, as
 * a connect and a first full read of the calendar leave them: the account row
 * (`calendarAccounts.insertOAuth`, sealed with the service's key), its counted calendar
 * (`busy.countCalendars`) and one applied full read of its intervals (`busy.readState`, then
 * `busy.applyRead`, the busy-read activity's own write), so the API reads exactly these rows.
 * No workflow is started: nothing reads these calendars again during the section.
 */
export async function storeBusyTimes(
  env: BenchEnvironment,
  o: { userIdOf: (u: number) => string; users: number; base: number; log: (line: string) => void },
): Promise<void> {
  const pool = createPool(env.database.url, CONCURRENCY);
  // insertOAuth (the store's seeding write, without the reconnect check) is not on the interface.
  const calendarAccounts = new PgCalendarAccountStore(pool, serviceSecretBox(env));
  const busy = new PgBusyStore(pool);
  const window = busyWindowAt(Date.now(), DEFAULT_BUSY_WINDOW_MS);
  let stored = 0;
  let reportedAt = Date.now();
  try {
    await forEachConcurrently(
      Array.from({ length: o.users }, (_, u) => u),
      CONCURRENCY,
      async (u) => {
        const userId = o.userIdOf(u);
        const account = await calendarAccounts.insertOAuth({
          userId,
          provider: 'google',
          calendarId: 'primary',
          accountEmail: `${userId}@sandbox.test`,
          accessToken: `bench-access-${u}`,
          refreshToken: `bench-refresh-${u}`,
          expiresAt: new Date(Date.now() + 3_600_000),
        });
        await busy.countCalendars(account.id, { read: ['primary'], counted: ['primary'] });
        const state = await busy.readState(account.id, 'primary');
        await busy.applyRead({
          connectionId: account.id,
          provider: 'google',
          calendarId: 'primary',
          window,
          startedAt: state.startedAt,
          previousStartedAt: state.previousStartedAt,
          previousCursor: state.cursor,
          changes: {
            mode: 'full',
            cursorExpired: false,
            cursor: `bench-cursor-${u}`,
            items: intervalsOf(u, o.base).map((s, k) => {
              const interval = { start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() };
              return { itemId: `bench-${u}-${k}`, removed: false, ours: false, busy: [interval], ...interval };
            }),
          },
        });
        stored += 1;
        if (Date.now() - reportedAt > 15_000) {
          reportedAt = Date.now();
          o.log(`reads: ${stored} of ${o.users} users' busy times stored`);
        }
      },
    );
    // A deployment's autovacuum has long analyzed these tables; right after a bulk write the planner
    // still sees them empty and scans all 80,000 intervals per read (37 ms instead of 0.1 ms here).
    await pool.query('ANALYZE calendar_connections, busy_calendars, busy_intervals');
  } finally {
    await pool.end();
  }
}
