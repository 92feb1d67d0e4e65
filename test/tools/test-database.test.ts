import crypto from 'node:crypto';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_URL, TestDatabaseError, createFreshDatabase } from '../../tools/support/test-database';

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
// Own prefix per run, so this file never touches databases of other (parallel) runs.
const prefix = `calsync_devtest_${crypto.randomBytes(3).toString('hex')}`;
const quiet = () => undefined;

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

const exists = (name: string) => admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

function stamp(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

describe('createFreshDatabase', () => {
  afterAll(async () => {
    await admin(async (c) => {
      const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  });

  it('creates a uniquely named, usable database and drops it even with open connections', async () => {
    const [one, two] = await Promise.all([
      createFreshDatabase({ adminUrl, prefix, log: quiet }),
      createFreshDatabase({ adminUrl, prefix, log: quiet }),
    ]);
    expect(one.name).not.toBe(two.name);
    expect(one.name).toMatch(new RegExp(`^${prefix}_\\d{14}_[0-9a-f]{8}$`));
    expect(new URL(one.url).pathname).toBe(`/${one.name}`);

    const c = new Client({ connectionString: one.url });
    c.on('error', () => undefined); // it gets terminated by drop()
    await c.connect();
    await c.query('CREATE TABLE t (id int)');
    const { rows } = await c.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]?.db).toBe(one.name);

    await one.drop();
    await one.drop(); // idempotent
    await two.drop();
    expect(await exists(one.name)).toBe(false);
    expect(await exists(two.name)).toBe(false);
    await c.end().catch(() => undefined);
  });

  it('drops leftovers older than an hour with the same prefix, and keeps younger ones', async () => {
    const old = `${prefix}_${stamp(2 * 60 * 60_000)}_deadbeef`;
    const young = `${prefix}_${stamp(10 * 60_000)}_cafebabe`;
    await admin(async (c) => {
      await c.query(`CREATE DATABASE "${old}"`);
      await c.query(`CREATE DATABASE "${young}"`);
    });
    const fresh = await createFreshDatabase({ adminUrl, prefix, log: quiet });
    try {
      expect(await exists(old)).toBe(false);
      expect(await exists(young)).toBe(true);
    } finally {
      await fresh.drop();
    }
  });

  it('fails with a typed error when the server cannot be reached', async () => {
    const err = await createFreshDatabase({ adminUrl: 'postgres://postgres@127.0.0.1:1/postgres', prefix }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestDatabaseError);
    expect(err).toMatchObject({ code: 'ADMIN_CONNECT_FAILED' });
  });

  it('rejects prefixes that are not plain identifiers', async () => {
    await expect(createFreshDatabase({ adminUrl, prefix: 'Bad-Prefix' })).rejects.toMatchObject({ code: 'INVALID_PREFIX' });
  });
});
