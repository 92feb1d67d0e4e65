import { sleep } from '../../dev/child-processes';
import type { BenchEnvironment } from '../environment';

/**
 * Waits until the booking workflows have saved `expected` bookings whose id starts with
 * `prefix` (what bulk syncs page through and feeds list); `label` names the caller in the log.
 */
export async function waitForSavedBookings(
  env: BenchEnvironment,
  prefix: string,
  expected: number,
  label: string,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + 600_000;
  let reportedAt = Date.now();
  for (;;) {
    const { rows } = await env.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM bookings WHERE booking_id LIKE $1`, [
      `${prefix.replace(/[\\%_]/g, '\\$&')}%`,
    ]);
    if ((rows[0]?.n ?? 0) >= expected) return;
    if (Date.now() > deadline) throw new Error(`${label}: only ${rows[0]?.n} of ${expected} bookings saved after 10 minutes`);
    if (Date.now() - reportedAt > 15_000) {
      reportedAt = Date.now();
      log(`${label}: ${rows[0]?.n} of ${expected} bookings saved`);
    }
    await sleep(250);
  }
}
