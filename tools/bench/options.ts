import { z } from 'zod';
import { parseCliOptions } from '../support/cli-options';

export const SECTIONS = ['floor', 'service', 'naive', 'bulk', 'scale', 'paced', 'feed', 'cost', 'spread', 'reads'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Bookings in the floor, service and naive sections. */
  bookings: number;
  /** Requests in flight at once from the driver (HTTP calls, workflow starts). */
  concurrency: number;
  /** The sandbox's per-user Google quota in the bulk section, requests per second. */
  quota: number;
  /** The sliding window (seconds) over which the sandbox counts that quota; Google's is a minute. */
  quotaWindow: number;
  /** Existing bookings of the user who connects in the bulk section. */
  bulkBookings: number;
  /** Booking counts of the scale section. */
  scale: number[];
  /** Fault rate the sandbox injects for the naive-versus-service comparison. */
  faultRate: number;
  /** Connected users on each side (tutors, clients); bookings are spread over them. */
  users: number;
  /** Users whose calendar feeds the feed section polls (each feed lists 5 upcoming bookings). */
  feedUsers: number;
  /** How long the feed section polls, in seconds. */
  feedSeconds: number;
  /** Users whose busy intervals the reads section stores. */
  readsUsers: number;
  /** Requests per second the reads section offers each read route, open loop. */
  readsRate: number;
  /** How long the reads section offers each route its rate, in seconds. */
  readsSeconds: number;
  /** Worker processes of the service. */
  workers: number;
  /** `dist`: the service's processes run its build, as the image does (`npm run bench` builds first); `sources`: through tsx. */
  runFrom: 'dist' | 'sources';
  /** WORKER_MAX_CACHED_WORKFLOWS of the service's workers (the cache/memory trade-off); unset: the service's default. */
  workerCache?: number;
  /** Fractions of the capacity the paced section offers, one run per side each. */
  pacedLoads: number[];
  /** How long the paced section offers each rate to each side, in seconds. */
  pacedSeconds: number;
  /** Confirms per second that load 1 stands for; without it, the floor section's throughput. */
  pacedCapacity?: number;
  /** Confirms the spread section sends, alternating between two API processes. */
  spreadBookings: number;
  sections: Section[];
  out: string;
}

const csv = <T extends z.ZodType>(item: T) =>
  z.string().transform((s, ctx) => {
    const parsed = z.array(item).safeParse(
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid list' });
      return z.NEVER;
    }
    return parsed.data;
  });

const schema = z.strictObject({
  bookings: z.coerce.number().int().min(1).max(20_000).default(1_000),
  concurrency: z.coerce.number().int().min(1).max(512).default(32),
  quota: z.coerce.number().int().min(1).max(100).default(10),
  'quota-window': z.coerce.number().int().min(1).max(3600).default(60),
  'bulk-bookings': z.coerce.number().int().min(1).max(20_000).default(1_000),
  scale: csv(z.coerce.number().int().min(1).max(50_000)).default([100, 1_000, 5_000]),
  'fault-rate': z.coerce.number().min(0).max(0.9).default(0.1),
  users: z.coerce.number().int().min(1).max(200).default(20),
  'feed-users': z.coerce.number().int().min(1).max(5_000).default(1_000),
  'feed-seconds': z.coerce.number().int().min(1).max(600).default(5),
  'reads-users': z.coerce.number().int().min(1).max(100_000).default(10_000),
  'reads-rate': z.coerce.number().gt(0).max(5_000).default(200),
  'reads-seconds': z.coerce.number().int().min(1).max(600).default(10),
  workers: z.coerce.number().int().min(1).max(8).default(1),
  'run-from': z.enum(['dist', 'sources']).default('sources'),
  'worker-cache': z.coerce.number().int().min(0).max(100_000).optional(),
  'paced-loads': csv(z.coerce.number().gt(0).max(2)).default([0.25, 0.5, 0.75]),
  'paced-seconds': z.coerce.number().int().min(1).max(600).default(20),
  'paced-capacity': z.coerce.number().gt(0).max(10_000).optional(),
  'spread-bookings': z.coerce.number().int().min(2).max(20_000).default(400),
  only: csv(z.enum(SECTIONS)).default([...SECTIONS]),
  out: z.string().min(1).default('tools/bench/results/latest.json'),
});

/**
 * `npm run bench -- [--bookings N] [--concurrency C]`, and for shorter or larger runs
 * `--quota Q --quota-window S --bulk-bookings B --scale 100,1000,5000 --fault-rate F --users U
 * --feed-users F --feed-seconds S --workers W --worker-cache N --run-from dist|sources --paced-loads 0.25,0.5,0.75 --paced-seconds S
 * --paced-capacity R --spread-bookings N --reads-users U --reads-rate R --reads-seconds S
 * --only floor,service,naive,bulk,scale,paced,feed,cost,spread,reads --out FILE`.
 */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const o = parseCliOptions(schema, argv);
  if (o.only.includes('paced') && !o.only.includes('floor') && o['paced-capacity'] === undefined)
    throw new Error('--only paced without floor needs --paced-capacity R (the confirms per second that load 1 stands for)');
  return {
    bookings: o.bookings,
    concurrency: o.concurrency,
    quota: o.quota,
    quotaWindow: o['quota-window'],
    bulkBookings: o['bulk-bookings'],
    scale: o.scale,
    faultRate: o['fault-rate'],
    users: o.users,
    feedUsers: o['feed-users'],
    feedSeconds: o['feed-seconds'],
    readsUsers: o['reads-users'],
    readsRate: o['reads-rate'],
    readsSeconds: o['reads-seconds'],
    workers: o.workers,
    runFrom: o['run-from'],
    ...(o['worker-cache'] === undefined ? {} : { workerCache: o['worker-cache'] }),
    pacedLoads: o['paced-loads'],
    pacedSeconds: o['paced-seconds'],
    ...(o['paced-capacity'] === undefined ? {} : { pacedCapacity: o['paced-capacity'] }),
    spreadBookings: o['spread-bookings'],
    sections: o.only,
    out: o.out,
  };
}
