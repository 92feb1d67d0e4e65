import { createPool } from '../../../src/db/pool';
import { forEachConcurrently } from '../concurrently';
import type { BenchEnvironment } from '../environment';
import { confirmBody } from '../service/confirm-body';
import { serviceRepositories } from '../service/repositories';

/** Rows written at once: PostgreSQL and the bench share the two cores. */
const CONCURRENCY = 8;

/**
 * Stores `count` confirmed bookings as a booking workflow's first pass saves them: the projection
 * of the confirm request through the service's own `bookings.saveProjection` (personal data sealed
 * with the service's key), so feeds read exactly these rows. No workflow is started: thousands of
 * confirms through the engine would take minutes of a 2-core machine, and the feed reads only the
 * stored rows; the service section measures the confirms.
 */
export async function storeFeedBookings(
  env: BenchEnvironment,
  o: { count: number; bookingIdOf: (i: number) => string; tutorOf: (i: number) => string; clientOf: (i: number) => string },
): Promise<void> {
  const pool = createPool(env.database.url, CONCURRENCY);
  const { bookings } = serviceRepositories(env, pool);
  try {
    await forEachConcurrently(
      Array.from({ length: o.count }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const { version, ...details } = confirmBody(i, o.tutorOf(i), o.clientOf(i));
        await bookings.saveProjection({ bookingId: o.bookingIdOf(i), status: 'confirmed', version: version ?? null, revision: 1, details });
      },
    );
    // As a deployment's autovacuum would have: without statistics the planner misjudges a freshly filled table.
    await pool.query('ANALYZE bookings');
  } finally {
    await pool.end();
  }
}
