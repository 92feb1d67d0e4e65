import type { Pool } from 'pg';
import { sleep } from '../../dev/child-processes';

/**
 * Waits until the service has recorded `expected` written events for bookings whose id starts
 * with `prefix`, or until nothing has moved for `stallMs`. Only a signal to stop waiting: the
 * figures come from the calendars themselves.
 */
export async function waitForWrittenEvents(
  pool: Pool,
  prefix: string,
  expected: number,
  stallMs: number,
  log: (line: string) => void,
): Promise<number> {
  let last = -1;
  let movedAt = Date.now();
  let reportedAt = Date.now();
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM calendar_events WHERE booking_id LIKE $1 AND state = 'synced' AND external_event_id IS NOT NULL`,
      [`${prefix.replace(/[\\%_]/g, '\\$&')}%`],
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n >= expected) return n;
    if (n !== last) {
      last = n;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      log(`no progress for ${stallMs / 1000} s at ${n} of ${expected} events; reading the calendars as they are`);
      return n;
    }
    if (Date.now() - reportedAt > 15_000) {
      reportedAt = Date.now();
      log(`${n} of ${expected} events written`);
    }
    await sleep(250);
  }
}
