import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { isPortInUse } from './ports';
import { sleep } from './child-processes';

/**
 * PostgreSQL for `npm start` without DATABASE_URL: PGlite (Postgres compiled to WASM, in this
 * process) persisted under `dataDir`, served over TCP so the ordinary `pg` package connects.
 *
 * PGlite is ONE backend session. pglite-socket 0.2.x can multiplex several client connections
 * onto it, but it interleaves them per protocol message: a client's Parse/Bind/Execute sequence
 * can be split by another client's (its parameters then bind to the other client's statement),
 * and SET values, named prepared statements and session advisory locks are shared by all
 * clients. Whole BEGIN…COMMIT blocks are kept together, but that is not enough. So this serves
 * exactly one client connection at a time (maxConnections: 1, size pg.Pool to that); further
 * connections wait in a queue instead of being refused, and between two connections the
 * session is reset (ROLLBACK, DISCARD ALL) so each one starts like a fresh Postgres backend.
 * test/tools/embedded-postgres.test.ts holds the evidence.
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or undefined = a free port. */
  port?: number;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** postgres://… for the `pg` package */
  url: string;
  port: number;
  /** Size the pg.Pool to this: the server runs one session at a time. */
  maxConnections: number;
  /** Connections queued for the session right now (not counting the one being served). */
  waiting(): number;
  stop(): Promise<void>;
}

export type EmbeddedPostgresErrorCode = 'DATA_DIR_LOCKED' | 'PORT_IN_USE' | 'START_FAILED';

export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

const HOST = '127.0.0.1';
const WAIT_NOTICE_MS = 10_000;

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? defaultLog;
  const started = Date.now();
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pgdata = path.join(dataDir, 'pgdata');
  const firstRun = !fs.existsSync(path.join(pgdata, 'PG_VERSION'));
  const releaseLock = lockDataDir(path.join(dataDir, 'server.pid'));
  // Fail before the slow PGlite start-up when the requested port is obviously taken.
  if (opts.port && (await isPortInUse(opts.port, HOST))) {
    releaseLock();
    throw portInUse(opts.port);
  }

  let db: PGlite | undefined;
  let inner: PGLiteSocketServer | undefined;
  try {
    if (firstRun) log(`Creating the embedded PostgreSQL database (PGlite) in ${pgdata}…`);
    try {
      db = await PGlite.create({ dataDir: pgdata });
    } catch (err) {
      throw new EmbeddedPostgresError(
        'START_FAILED',
        `Could not open the embedded PostgreSQL data in ${pgdata}: ${(err as Error).message}. ` +
          `If it is damaged, delete that directory (its data is lost) or set DATABASE_URL to a real PostgreSQL.`,
        { cause: err },
      );
    }
    // The package's server on an internal port; clients reach it only through the gate below.
    inner = new PGLiteSocketServer({ db, host: HOST, port: 0, maxConnections: 1 });
    await inner.start();
    const innerPort = Number(inner.getServerConn().split(':').pop());
    const gate = await startGate({ db, inner, innerPort, port: opts.port ?? 0, log });

    const url = `postgres://postgres@${HOST}:${gate.port}/postgres`;
    log(
      `Embedded PostgreSQL (PGlite) ready at ${HOST}:${gate.port}, data in ${pgdata} ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s; serves 1 connection at a time)`,
    );

    const dbRef = db;
    const innerRef = inner;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port: gate.port,
      maxConnections: 1,
      waiting: () => gate.waiting(),
      stop: () => {
        stopping ??= (async () => {
          try {
            await gate.close();
            await innerRef.stop();
            await dbRef.close();
          } finally {
            releaseLock();
          }
        })();
        return stopping;
      },
    };
  } catch (err) {
    await inner?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    releaseLock();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// One process per data directory: two PGlite instances writing the same files corrupt them.

/** Data directories opened by this process (the pid file cannot tell them apart). */
const openHere = new Set<string>();

function lockDataDir(lockFile: string): () => void {
  const mine = String(process.pid);
  const locked = (holder: number): EmbeddedPostgresError =>
    new EmbeddedPostgresError(
      'DATA_DIR_LOCKED',
      `The embedded PostgreSQL data in ${path.dirname(lockFile)} is in use by process ${holder} ` +
        `(another \`npm start\`?). Stop it first, or point this one at another data directory.`,
    );
  if (openHere.has(lockFile)) throw locked(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, mine, { flag: 'wx', mode: 0o600 });
      openHere.add(lockFile);
      return () => {
        openHere.delete(lockFile);
        try {
          if (fs.readFileSync(lockFile, 'utf8') === mine) fs.unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
    } catch {
      // removed meanwhile: just retry
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw locked(holder);
    }
    // Left behind by a process that died (or by ourselves): take it over.
    fs.rmSync(lockFile, { force: true });
  }
  throw new EmbeddedPostgresError('DATA_DIR_LOCKED', `Could not lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------
// The gate: accepts any number of TCP connections, lets exactly one talk to PGlite at a time
// (piped to the inner server), queues the rest, and resets the session between two of them.

interface Gate {
  port: number;
  waiting(): number;
  close(): Promise<void>;
}

async function startGate(args: {
  db: PGlite;
  inner: PGLiteSocketServer;
  innerPort: number;
  port: number;
  log: (line: string) => void;
}): Promise<Gate> {
  const { db, inner, innerPort, log } = args;
  const waiting: net.Socket[] = [];
  let active: { client: net.Socket; upstream: net.Socket } | undefined;
  let busy = false;
  let used = false;
  let closing = false;

  const server = net.createServer((client) => {
    client.setNoDelay(true);
    client.on('error', () => client.destroy());
    if (closing) {
      client.destroy();
      return;
    }
    waiting.push(client);
    const notice = setTimeout(() => {
      log(
        `Embedded PostgreSQL: a connection has waited ${WAIT_NOTICE_MS / 1000} s for the single session ` +
          `(size pg.Pool max to 1 and release clients promptly; a long transaction blocks everyone)`,
      );
    }, WAIT_NOTICE_MS);
    notice.unref();
    client.once('close', () => {
      clearTimeout(notice);
      const i = waiting.indexOf(client);
      if (i >= 0) waiting.splice(i, 1);
    });
    client.once('pipe', () => clearTimeout(notice));
    void pump();
  });

  /** The inner server drops its handler asynchronously after a socket closes; wait for that. */
  const innerIdle = async (): Promise<void> => {
    const until = Date.now() + 5_000;
    while (inner.getStats().activeConnections > 0 && Date.now() < until) await sleep(5);
  };

  const resetSession = async (): Promise<void> => {
    await innerIdle();
    if (db.isInTransaction()) await db.exec('ROLLBACK');
    await db.exec('DISCARD ALL');
  };

  const pump = async (): Promise<void> => {
    if (busy || closing) return;
    const client = waiting.shift();
    if (!client) return;
    busy = true;
    try {
      if (used) await resetSession();
      else await innerIdle();
    } catch (err) {
      log(`Embedded PostgreSQL: resetting the session failed: ${(err as Error).message}`);
    }
    if (client.destroyed || closing) {
      client.destroy();
      busy = false;
      void pump();
      return;
    }
    used = true;
    const upstream = net.connect(innerPort, HOST);
    upstream.setNoDelay(true);
    active = { client, upstream };
    let open = 2;
    const onClose = (): void => {
      if (--open > 0) return;
      active = undefined;
      busy = false;
      void pump();
    };
    client.once('close', () => {
      upstream.destroy();
      onClose();
    });
    upstream.once('close', () => {
      client.destroy();
      onClose();
    });
    upstream.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? portInUse(args.port) : err);
    });
    server.listen(args.port, HOST, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : args.port);
    });
  });

  return {
    port,
    waiting: () => waiting.length,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of waiting.splice(0)) s.destroy();
      if (active) {
        active.client.destroy();
        active.upstream.destroy();
      }
      await closed;
      // Let the inner handler detach (it may ROLLBACK) before the database is closed under it.
      await innerIdle();
      await sleep(20);
      if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
    },
  };
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    'PORT_IN_USE',
    `Cannot serve the embedded PostgreSQL on ${HOST}:${port}: the port is already in use by another program.`,
  );
}
