import crypto from 'node:crypto';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL database per test run, so runs (and parallel CI jobs) never share
 * state. The creation time is part of the name, which lets a later run drop what a crashed
 * run left behind without any bookkeeping table.
 */

export interface FreshDatabaseOptions {
  /** Default: env TEST_DATABASE_ADMIN_URL, else postgres://postgres@127.0.0.1:5432/postgres */
  adminUrl?: string;
  /** Lower-case letters, digits and "_"; default "calsync_test". */
  prefix?: string;
  log?: (line: string) => void;
}

export interface FreshDatabase {
  url: string;
  name: string;
  /** Terminates the database's connections and drops it. Safe to call twice. */
  drop(): Promise<void>;
}

export type TestDatabaseErrorCode = 'INVALID_PREFIX' | 'ADMIN_CONNECT_FAILED' | 'CREATE_FAILED' | 'DROP_FAILED';

export class TestDatabaseError extends Error {
  constructor(
    readonly code: TestDatabaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TestDatabaseError';
  }
}

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_PREFIX = 'calsync_test';
/** Leftovers older than this come from crashed runs; younger ones may belong to a live run. */
const LEFTOVER_AGE_MS = 60 * 60_000;
const PREFIX_PATTERN = /^[a-z_][a-z0-9_]{0,30}$/;

export async function createFreshDatabase(opts: FreshDatabaseOptions = {}): Promise<FreshDatabase> {
  const adminUrl = opts.adminUrl ?? process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const prefix = normalizePrefix(opts.prefix ?? DEFAULT_PREFIX);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = `${prefix}${timestamp(new Date())}_${crypto.randomBytes(4).toString('hex')}`;

  await withAdmin(adminUrl, async (admin) => {
    await dropLeftovers(admin, prefix, log);
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (err) {
      throw new TestDatabaseError(
        'CREATE_FAILED',
        `Could not create test database ${name} on ${redact(adminUrl)}: ${(err as Error).message} ` + `(the user needs CREATEDB).`,
        { cause: err },
      );
    }
  });

  const url = withDatabase(adminUrl, name);
  let dropped: Promise<void> | undefined;
  return {
    url,
    name,
    drop: () => {
      dropped ??= withAdmin(adminUrl, (admin) => dropDatabase(admin, name)).catch((err: unknown) => {
        dropped = undefined; // allow a retry
        if (err instanceof TestDatabaseError) throw err;
        throw new TestDatabaseError('DROP_FAILED', `Could not drop test database ${name}: ${(err as Error).message}`, {
          cause: err,
        });
      });
      return dropped;
    },
  };
}

function normalizePrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TestDatabaseError(
      'INVALID_PREFIX',
      `database prefix "${prefix}" must be 1-31 lower-case letters, digits or "_", starting with a letter or "_"`,
    );
  }
  return prefix.endsWith('_') ? prefix : `${prefix}_`;
}

/** UTC yyyymmddhhmmss: sortable, and parseable back by dropLeftovers. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function parseTimestamp(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

async function dropLeftovers(admin: Client, prefix: string, log: (line: string) => void): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND NOT datistemplate`,
    [prefix],
  );
  const pattern = new RegExp(`^${prefix}(\\d{14})_[0-9a-f]{8}$`);
  for (const { datname } of rows) {
    const created = parseTimestamp(pattern.exec(datname)?.[1] ?? '');
    if (created === undefined || Date.now() - created < LEFTOVER_AGE_MS) continue;
    try {
      await dropDatabase(admin, datname);
      log(`Dropped leftover test database ${datname} (from a run that did not clean up)`);
    } catch (err) {
      // Another run may be dropping the same one right now; not our problem.
      log(`Could not drop leftover test database ${datname}: ${(err as Error).message}`);
    }
  }
}

async function dropDatabase(admin: Client, name: string): Promise<void> {
  // Refuse new connections first, so nothing sneaks in between terminate and drop.
  await admin.query(`ALTER DATABASE ${quoteIdent(name)} WITH ALLOW_CONNECTIONS false`).catch((err: { code?: string }) => {
    if (err.code !== '3D000') throw err; // 3D000: already gone
  });
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  const { rows } = await admin.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
  const force = (rows[0]?.v ?? 0) >= 130000 ? ' WITH (FORCE)' : '';
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}${force}`);
}

async function withAdmin<T>(adminUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (err) {
    throw new TestDatabaseError(
      'ADMIN_CONNECT_FAILED',
      `Cannot reach PostgreSQL at ${redact(adminUrl)} to create a test database: ${(err as Error).message}. ` +
        `Start PostgreSQL, or set TEST_DATABASE_ADMIN_URL to a superuser/CREATEDB connection URL.`,
      { cause: err },
    );
  }
  try {
    return await work(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
