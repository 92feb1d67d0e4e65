import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedPostgres } from '../../tools/dev/embedded-postgres';
import { findFreePort } from '../../tools/dev/ports';
import { eventually } from '../support/eventually';

const quiet = () => undefined;
const MODULE = path.resolve(__dirname, '../../tools/dev/embedded-postgres.ts');

/** Running: an exited orphan stays a zombie until init reaps it, which counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

async function connected(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

describe('startEmbeddedPostgres', () => {
  const dirs: string[] = [];
  const tempDir = (name: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `calsync-pg-${name}-`));
    dirs.push(d);
    return d;
  };
  let dir: string;
  let pg: EmbeddedPostgres;

  beforeAll(async () => {
    dir = tempDir('shared');
    pg = await startEmbeddedPostgres({ dataDir: dir, log: quiet });
  }, 120_000);

  afterAll(async () => {
    await pg?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is a real PostgreSQL on a free port of 127.0.0.1, persisted under the data directory', async () => {
    expect(pg.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(fs.existsSync(path.join(dir, 'cluster', 'PG_VERSION'))).toBe(true);
    const c = await connected(pg.url);
    try {
      const { rows } = await c.query<{ v: string; dir: string }>(`SELECT version() AS v, current_setting('data_directory') AS dir`);
      expect(rows[0]?.v).toMatch(/^PostgreSQL \d+/);
      expect(rows[0]?.dir).toBe(path.join(dir, 'cluster'));
    } finally {
      await c.end();
    }
  });

  it('serves several sessions at once, and a session advisory lock makes the others wait', async () => {
    const [a, b, c] = await Promise.all([connected(pg.url), connected(pg.url), connected(pg.url)]);
    try {
      const pids = await Promise.all(
        [a, b, c].map(async (x) => (await x.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid),
      );
      expect(new Set(pids).size).toBe(3);

      await a.query('SELECT pg_advisory_lock(4242)');
      const tried = await b.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(4242) AS ok');
      expect(tried.rows[0]?.ok).toBe(false);

      let bHasIt = false;
      const bLocks = b.query('SELECT pg_advisory_lock(4242)').then(() => {
        bHasIt = true;
      });
      // B is a backend of its own, blocked on the advisory lock while A goes on working.
      await eventually(
        async () => {
          const { rows } = await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
            [pids[1]],
          );
          return rows[0]?.n === 1 ? true : undefined;
        },
        'B to wait on the advisory lock',
        10_000,
      );
      await a.query('SELECT 1');
      expect(bHasIt).toBe(false);
      await a.query('SELECT pg_advisory_unlock(4242)');
      await bLocks;
      expect(bHasIt).toBe(true);
      await b.query('SELECT pg_advisory_unlock(4242)');
    } finally {
      await Promise.all([a, b, c].map((x) => x.end()));
    }
  });

  it('refuses a second server on the same data directory', async () => {
    await expect(startEmbeddedPostgres({ dataDir: dir, log: quiet })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
  });

  it('reports a busy port with a typed error', async () => {
    const err = await startEmbeddedPostgres({ dataDir: tempDir('port'), port: Number(new URL(pg.url).port), log: quiet }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EmbeddedPostgresError);
    expect(err).toMatchObject({ code: 'PORT_IN_USE' });
  });

  it('listens on the port asked for, keeps data across a restart, and stops its server', async () => {
    const dir2 = tempDir('persist');
    const port = await findFreePort();
    const first = await startEmbeddedPostgres({ dataDir: dir2, port, log: quiet });
    expect(first.url).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    const c1 = await connected(first.url);
    await c1.query(`CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
    await c1.end();
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    expect(fs.existsSync(path.join(dir2, 'server.pid'))).toBe(false);

    const lines: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir: dir2, log: (l) => lines.push(l) });
    try {
      expect(lines.some((l) => l.startsWith('Creating'))).toBe(false);
      const c2 = await connected(second.url);
      const { rows } = await c2.query<{ v: string }>('SELECT v FROM kept');
      await c2.end();
      expect(rows).toEqual([{ v: 'still here' }]);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('takes over from a run that was killed outright: stops the server it left behind, data intact', async () => {
    const dir3 = tempDir('orphan');
    // Another `npm start`, killed with SIGKILL: its server (own process group) keeps running.
    const child = spawn(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        '-e',
        `require(${JSON.stringify(MODULE)}).startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir3)}, log: () => {} })
           .then(async (pg) => {
             const { Client } = require('pg');
             const c = new Client({ connectionString: pg.url });
             await c.connect();
             await c.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the kill')");
             await c.end();
             process.stdout.write(JSON.stringify({ pid: pg.pid }) + '\\n');
             setInterval(() => {}, 1000); // running, as npm start would be
           })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const { pid } = await eventually(
      () => (out.includes('\n') ? (JSON.parse(out) as { pid: number }) : undefined),
      'the first run to start',
      60_000,
    );
    child.kill('SIGKILL');
    await exited;
    expect(isAlive(pid)).toBe(true);

    const lines: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir: dir3, log: (l) => lines.push(l) });
    try {
      expect(isAlive(pid)).toBe(false);
      expect(lines.join('\n')).toContain(`left running by an earlier run (pid ${pid})`);
      const c = await connected(again.url);
      const { rows } = await c.query<{ v: string }>('SELECT v FROM kept');
      await c.end();
      expect(rows).toEqual([{ v: 'before the kill' }]);
    } finally {
      await again.stop();
    }
  }, 120_000);
});
