import { sleep } from '../../dev/child-processes';
import { connectOAuthUser } from '../../support/connect-oauth-user';
import type { BenchEnvironment } from '../environment';
import { forEachConcurrently } from '../concurrently';

/** A user of the booking platform with a connected Google sandbox calendar. */
export interface BenchUser {
  userId: string;
  email: string;
  connectionId: string;
}

export const emailOf = (userId: string): string => `${userId}@sandbox.test`;

/** Connects `count` users with the given id prefix through the API's OAuth flow, a few at a time. */
export async function connectUsers(env: BenchEnvironment, prefix: string, count: number): Promise<BenchUser[]> {
  const users: BenchUser[] = Array.from({ length: count }, (_, i) => ({
    userId: `${prefix}${i}`,
    email: emailOf(`${prefix}${i}`),
    connectionId: '',
  }));
  await forEachConcurrently(users, 4, async (u) => {
    u.connectionId = await connectOAuthUser(env.api, 'google', u.userId, u.email);
  });
  await waitForBulkSyncs(env, users);
  return users;
}

/**
 * A new connection first brings existing bookings into the calendar; measuring starts once
 * that has finished, so it does not overlap the measured bookings.
 */
async function waitForBulkSyncs(env: BenchEnvironment, users: BenchUser[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await env.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM calendar_connections WHERE id = ANY($1::uuid[]) AND bulk_sync->>'state' = 'completed'`,
      [users.map((u) => u.connectionId)],
    );
    if ((rows[0]?.n ?? 0) >= users.length) return;
    if (Date.now() > deadline)
      throw new Error(`the new connections' bulk syncs did not finish in 2 minutes (${rows[0]?.n} of ${users.length})`);
    await sleep(250);
  }
}
