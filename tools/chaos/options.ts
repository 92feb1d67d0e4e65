import { z } from 'zod';
import { parseCliOptions } from '../support/cli-options';

export interface ChaosOptions {
  bookings: number;
  faultRate: number;
  workerKills: number;
  serverRestarts: number;
  /** API process SIGKILLs while requests are in flight. */
  apiKills: number;
  /** Times every database connection of the service is terminated (pg_terminate_backend). */
  dbDrops: number;
  seed: number;
  /** Bookings delivered at once. */
  concurrency: number;
  /** Deliveries per second, all bookings together. */
  rate: number;
  /** Users connected per provider. */
  usersPerProvider: number;
  /** How long to wait for the calendars to match before reporting what is still off. */
  convergeTimeoutSeconds: number;
}

const schema = z.strictObject({
  bookings: z.coerce.number().int().min(1).max(100_000).default(100),
  'fault-rate': z.coerce.number().min(0).max(0.9).default(0.2),
  'worker-kills': z.coerce.number().int().min(0).max(100).default(1),
  'server-restarts': z.coerce.number().int().min(0).max(100).default(0),
  'api-kills': z.coerce.number().int().min(0).max(100).default(0),
  'db-drops': z.coerce.number().int().min(0).max(100).default(0),
  seed: z.coerce.number().int().min(0).default(1),
  concurrency: z.coerce.number().int().min(1).max(256).default(16),
  rate: z.coerce.number().min(0.1).max(10_000).default(25),
  users: z.coerce.number().int().min(1).max(50).default(4),
  'converge-timeout': z.coerce.number().int().min(10).default(900),
});

/**
 * `npm run chaos -- --bookings N --fault-rate F --worker-kills K --server-restarts R --seed S`
 * (and `--api-kills A --db-drops D --concurrency C --rate PER_SECOND --users U --converge-timeout SECONDS`).
 */
export function parseChaosOptions(argv: string[]): ChaosOptions {
  const o = parseCliOptions(schema, argv);
  return {
    bookings: o.bookings,
    faultRate: o['fault-rate'],
    workerKills: o['worker-kills'],
    serverRestarts: o['server-restarts'],
    apiKills: o['api-kills'],
    dbDrops: o['db-drops'],
    seed: o.seed,
    concurrency: o.concurrency,
    rate: o.rate,
    usersPerProvider: o.users,
    convergeTimeoutSeconds: o['converge-timeout'],
  };
}
