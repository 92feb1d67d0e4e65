import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedPostgres } from '../../tools/dev/embedded-postgres';
import { eventually } from '../support/eventually';

const quiet = () => undefined;

/**
 * Several connections open at once (max), each one a session of its own that ends when it is
 * released (maxUses: 1): the server, not the pool, must keep them apart.
 */
const sessionsPool = (url: string, max: number) => new Pool({ connectionString: url, max, maxUses: 1 });

describe('startEmbeddedPostgres', () => {
  let dir: string;
  let pg: EmbeddedPostgres;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-pglite-'));
    pg = await startEmbeddedPostgres({ dataDir: dir, log: quiet });
  }, 120_000);

  afterAll(async () => {
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves one session at a time and says so', () => {
    expect(pg.maxConnections).toBe(1);
    expect(pg.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  });

  it('supports the SQL the service relies on, across sessions', async () => {
    const pool = sessionsPool(pg.url, 3);
    try {
      await pool.query(`
        CREATE TABLE features (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          key text UNIQUE NOT NULL,
          data jsonb NOT NULL,
          tags text[] NOT NULL,
          at timestamptz NOT NULL
        )`);
      const at = new Date('2026-03-29T01:30:00Z');
      const inserted = await pool.query<{ id: string }>(`INSERT INTO features (key, data, tags, at) VALUES ($1, $2, $3, $4) RETURNING id`, [
        'a',
        { nested: { n: 1 } },
        ['x', 'y'],
        at,
      ]);
      expect(inserted.rows[0]?.id).toMatch(/^[0-9a-f-]{36}$/);

      const upserted = await pool.query<{ data: { nested: { n: number } }; tags: string[] }>(
        `INSERT INTO features (key, data, tags, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET data = features.data || EXCLUDED.data, tags = EXCLUDED.tags
         RETURNING data, tags`,
        ['a', { extra: true }, ['z'], at],
      );
      expect(upserted.rows[0]).toEqual({ data: { nested: { n: 1 }, extra: true }, tags: ['z'] });

      // Two sessions asked for at once: each sees what the earlier ones committed.
      const [byAny, count] = await Promise.all([
        pool.query<{ key: string; at: Date; n: number }>(
          `SELECT key, at, (data->'nested'->>'n')::int AS n FROM features WHERE $1 = ANY(tags) OR key = ANY($2::text[])`,
          ['z', ['nope']],
        ),
        pool.query<{ n: number }>('SELECT count(*)::int AS n FROM features'),
      ]);
      expect(byAny.rows).toEqual([{ key: 'a', at, n: 1 }]);
      expect(count.rows).toEqual([{ n: 1 }]);

      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const locked = await client.query(`SELECT key FROM features WHERE key = $1 FOR UPDATE`, ['a']);
        expect(locked.rowCount).toBe(1);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });

  it('serialises sessions: a second connection waits at the server until the first ends, then sees its commits', async () => {
    const pool = sessionsPool(pg.url, 2);
    const events: string[] = [];
    try {
      await pool.query('CREATE TABLE counter (id int PRIMARY KEY, v int NOT NULL)');
      await pool.query('INSERT INTO counter VALUES (1, 0)');

      const a = await pool.connect();
      await a.query('BEGIN');
      await a.query('SELECT pg_advisory_xact_lock(42)');
      events.push('A locked');

      const second = (async () => {
        const b = await pool.connect();
        try {
          events.push('B connected');
          await b.query('BEGIN');
          await b.query('SELECT pg_advisory_xact_lock(42)');
          events.push('B locked');
          const { rows } = await b.query<{ v: number }>('SELECT v FROM counter WHERE id = 1 FOR UPDATE');
          await b.query('UPDATE counter SET v = $1 WHERE id = 1', [(rows[0]?.v ?? 0) * 10]);
          await b.query('COMMIT');
          events.push('B committed');
        } finally {
          b.release();
        }
      })();

      // B's connection has reached the server and is held there; A keeps working meanwhile.
      await eventually(() => (pg.waiting() === 1 ? true : undefined), 'the second connection to be queued', 10_000);
      await a.query('UPDATE counter SET v = v + 1 WHERE id = 1');
      await a.query('UPDATE counter SET v = v + 1 WHERE id = 1');
      expect(pg.waiting()).toBe(1);
      events.push('A committing');
      await a.query('COMMIT');
      a.release(); // ends A's connection (maxUses: 1): only now may B's session start
      await second;

      expect(events).toEqual(['A locked', 'A committing', 'B connected', 'B locked', 'B committed']);
      // B read A's committed value (2), so nothing was lost or interleaved: 2 * 10.
      const { rows } = await pool.query<{ v: number }>('SELECT v FROM counter WHERE id = 1');
      expect(rows[0]?.v).toBe(20);
    } finally {
      await pool.end();
    }
  });

  it('keeps many concurrent sessions consistent: one at a time, each fresh, no update lost', async () => {
    const pool = sessionsPool(pg.url, 4);
    try {
      await pool.query('CREATE TABLE tally (id int PRIMARY KEY, v int NOT NULL)');
      await pool.query('INSERT INTO tally VALUES (1, 0)');
      const leaked: string[] = [];
      let first = true;
      const bump = async (): Promise<void> => {
        const c = await pool.connect();
        try {
          const shown = await c.query<{ application_name: string }>('SHOW application_name');
          if (shown.rows[0]?.application_name === 'bump') leaked.push('application_name');
          await c.query(`SET application_name = 'bump'`);
          await c.query('BEGIN');
          if (first) {
            // The pool opened its other three connections at once: the server holds all of them.
            first = false;
            await eventually(() => (pg.waiting() === 3 ? true : undefined), 'three connections queued', 10_000);
          }
          // A read-modify-write without locks: only one session at a time keeps it from losing updates.
          const { rows } = await c.query<{ v: number }>('SELECT v FROM tally WHERE id = $1', [1]);
          await c.query('UPDATE tally SET v = $1 WHERE id = $2', [(rows[0]?.v ?? 0) + 1, 1]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      };
      await Promise.all(Array.from({ length: 12 }, bump));
      expect(leaked).toEqual([]);
      const { rows } = await pool.query<{ v: number }>('SELECT v FROM tally WHERE id = 1');
      expect(rows[0]?.v).toBe(12);
    } finally {
      await pool.end();
    }
  });

  it('queues a second connection instead of refusing it, and gives it a fresh session', async () => {
    const a = new Client({ connectionString: pg.url });
    await a.connect();
    await a.query(`SET application_name = 'client-a'`);
    await a.query({ name: 'probe', text: 'SELECT 1 AS one' });
    await a.query('SELECT pg_advisory_lock(99)'); // session-level: must not survive the session

    const b = new Client({ connectionString: pg.url });
    let bConnected = false;
    const bReady = b.connect().then(() => {
      bConnected = true;
    });
    await eventually(() => (pg.waiting() === 1 ? true : undefined), 'the second connection to be queued', 10_000);
    expect(bConnected).toBe(false);

    await a.end();
    await bReady;
    const name = await b.query<{ application_name: string }>('SHOW application_name');
    expect(name.rows[0]?.application_name).not.toBe('client-a');
    const again = await b.query<{ one: number }>({ name: 'probe', text: 'SELECT 1 AS one' });
    expect(again.rows[0]?.one).toBe(1);
    const lock = await b.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(99) AS ok');
    expect(lock.rows[0]?.ok).toBe(true);
    await b.end();
  });

  it('rolls back a transaction a client abandoned', async () => {
    const a = new Client({ connectionString: pg.url });
    await a.connect();
    await a.query('CREATE TABLE abandoned (v int)');
    await a.query('BEGIN');
    await a.query('INSERT INTO abandoned VALUES (1)');
    await a.end(); // no COMMIT

    const b = new Client({ connectionString: pg.url });
    await b.connect();
    const { rows } = await b.query<{ n: number }>('SELECT count(*)::int AS n FROM abandoned');
    expect(rows[0]?.n).toBe(0);
    await b.end();
  });

  it('keeps a split extended-query sequence together (contrast with the multiplexer test below)', async () => {
    const port = Number(new URL(pg.url).port);
    const a = await RawClient.connect(port);
    a.send(parse(`SELECT 'from A'`)); // the rest of A's sequence is "still on the wire"
    const b = RawClient.connectLater(port);
    await eventually(() => (pg.waiting() === 1 ? true : undefined), 'the second connection to be queued', 10_000);
    a.send(bind(), execute(), sync());
    expect(await a.readyRows()).toEqual(['from A']);
    a.end();
    const bc = await b;
    bc.send(parse(`SELECT 'from B'`), bind(), execute(), sync());
    expect(await bc.readyRows()).toEqual(['from B']);
    bc.end();
  });

  it('refuses a second server on the same data directory', async () => {
    await expect(startEmbeddedPostgres({ dataDir: dir, log: quiet })).rejects.toMatchObject({
      code: 'DATA_DIR_LOCKED',
    });
  });

  it('persists data across a restart', async () => {
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-pglite-persist-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir: dir2, log: quiet });
      const c1 = new Client({ connectionString: first.url });
      await c1.connect();
      await c1.query(`CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
      await c1.end();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir: dir2, log: quiet });
      const c2 = new Client({ connectionString: second.url });
      await c2.connect();
      const { rows } = await c2.query<{ v: string }>('SELECT v FROM kept');
      await c2.end();
      await second.stop();
      expect(rows).toEqual([{ v: 'still here' }]);
      expect(fs.existsSync(path.join(dir2, 'server.pid'))).toBe(false);
    } finally {
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  }, 120_000);

  it('reports a busy port with a typed error', async () => {
    const dir3 = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-pglite-port-'));
    try {
      const err = await startEmbeddedPostgres({ dataDir: dir3, port: Number(new URL(pg.url).port), log: quiet }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddedPostgresError);
      expect(err).toMatchObject({ code: 'PORT_IN_USE' });
    } finally {
      fs.rmSync(dir3, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * Evidence for serving a single connection: pglite-socket's own multiplexer (maxConnections > 1)
 * keeps BEGIN…COMMIT blocks together, but interleaves everything else per protocol message and
 * shares one session between all clients. If these start failing after an upgrade, the
 * multiplexer may have become safe and embedded-postgres.ts can be revisited.
 */
describe('pglite-socket multiplexer (why embedded-postgres serves one connection)', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let port: number;

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    port = Number(server.getServerConn().split(':').pop());
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('does keep explicit transactions apart (advisory xact lock waits for the commit)', async () => {
    const a = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    const b = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await a.connect();
    await b.connect();
    const events: string[] = [];
    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock(1)');
    const bDone = (async () => {
      await b.query('BEGIN');
      events.push('B began');
      await b.query('SELECT pg_advisory_xact_lock(1)');
      events.push('B locked');
      await b.query('COMMIT');
    })();
    // B's BEGIN is held in the multiplexer's queue while A's transaction is open.
    await eventually(() => (server.getStats().queuedQueries === 1 ? true : undefined), "B's BEGIN to be queued", 10_000);
    await a.query('SELECT 1');
    expect(events).toEqual([]);
    events.push('A committing');
    await a.query('COMMIT');
    await bDone;
    expect(events).toEqual(['A committing', 'B began', 'B locked']);
    await a.end();
    await b.end();
  });

  it('mixes up two clients when one Parse/Bind/Execute sequence arrives in pieces', async () => {
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    // Flush makes the server answer A's Parse on its own: then it has surely run before B's.
    a.send(parse(`SELECT 'from A'`), flush());
    await a.parsed();
    b.send(parse(`SELECT 'from B'`), bind(), execute(), sync());
    expect(await b.readyRows()).toEqual(['from B']);
    a.send(bind(), execute(), sync());
    // A's Bind executed B's statement: A receives B's result.
    expect(await a.readyRows()).toEqual(['from B']);
    a.end();
    b.end();
  });

  it('shares session state between clients', async () => {
    const a = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    const b = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await a.connect();
    await b.connect();
    await a.query(`SET application_name = 'leaky'`);
    const shown = await b.query<{ application_name: string }>('SHOW application_name');
    expect(shown.rows[0]?.application_name).toBe('leaky');
    const la = await a.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(5) AS ok');
    const lb = await b.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(5) AS ok');
    expect([la.rows[0]?.ok, lb.rows[0]?.ok]).toEqual([true, true]); // both "hold" the same lock
    await a.query({ name: 'stmt', text: 'SELECT 1' });
    await expect(b.query({ name: 'stmt', text: 'SELECT 1' })).rejects.toThrow(/already exists/);
    await a.end();
    await b.end();
  });
});

// ---------------------------------------------------------------------------------------------
// A minimal wire-protocol client, to control exactly when each message is sent.

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const parse = (sql: string) => message('P', Buffer.concat([cstr(''), cstr(sql), Buffer.from([0, 0])]));
const bind = () => message('B', Buffer.concat([cstr(''), cstr(''), Buffer.from([0, 0, 0, 0, 0, 0])]));
const execute = () => message('E', Buffer.concat([cstr(''), Buffer.from([0, 0, 0, 0])]));
const sync = () => message('S', Buffer.alloc(0));
const flush = () => message('H', Buffer.alloc(0));

class RawClient {
  private buffer = Buffer.alloc(0);
  private rows: string[] = [];
  private waiters: Array<(rows: string[]) => void> = [];
  private parseWaiters: Array<() => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    const client = new RawClient(net.connect(port, '127.0.0.1'));
    const body = Buffer.concat([
      Buffer.from([0, 3, 0, 0]),
      cstr('user'),
      cstr('postgres'),
      cstr('database'),
      cstr('postgres'),
      Buffer.from([0]),
    ]);
    const startup = Buffer.alloc(4);
    startup.writeInt32BE(4 + body.length);
    client.socket.write(Buffer.concat([startup, body]));
    await client.readyRows();
    return client;
  }

  /** Starts connecting now; resolves once the server has accepted the session. */
  static connectLater(port: number): Promise<RawClient> {
    return RawClient.connect(port);
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** Rows (first column, text) received up to the next ReadyForQuery. */
  readyRows(): Promise<string[]> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves at the next ParseComplete. */
  parsed(): Promise<void> {
    return new Promise((resolve) => this.parseWaiters.push(resolve));
  }

  end(): void {
    this.socket.end(message('X', Buffer.alloc(0)));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5) {
      const type = String.fromCharCode(this.buffer[0] ?? 0);
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      if (type === '1') {
        this.parseWaiters.shift()?.();
      } else if (type === 'D') {
        const cell = body.readInt32BE(2);
        this.rows.push(body.subarray(6, 6 + cell).toString('utf8'));
      } else if (type === 'E') {
        this.rows.push(`ERROR ${body.toString('utf8').replace(/\0/g, ' ').trim()}`);
      } else if (type === 'Z') {
        const rows = this.rows;
        this.rows = [];
        this.waiters.shift()?.(rows);
      }
    }
  }
}
