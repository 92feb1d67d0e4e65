import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onParentExit, sleep, tailOf } from '../dev/child-processes';
import { findFreePort, isPortInUse } from '../dev/ports';

/**
 * A real CalDAV server for the tests: Radicale 3 (Debian package `radicale`), installed with apt
 * when missing and run as a child process on a free loopback port with its own throwaway config,
 * htpasswd file, storage and log, all in one temp directory that `stop()` removes.
 *
 * Config choices (Radicale 3.1):
 * - `--config <file>` replaces the default search path, so Debian's /etc/radicale/config (which
 *   sets `auth type = remote_user`) and ~/.config/radicale/config are never read.
 * - `htpasswd_encryption = plain`: bcrypt needs python3-bcrypt, which the Debian package only
 *   suggests (passlib alone has no bcrypt backend), and bcrypt would cost CPU on every request.
 *   Plain text is fine for a loopback server whose files live in a 0700 temp directory.
 * - `rights type = owner_only`: a user sees `/` and everything under `/<username>/`, nothing else.
 * - `auth delay = 0`: Radicale otherwise sleeps 0.5–1.5 s after each failed login.
 * (`[storage] _filesystem_fsync` would be nice to turn off, but 3.1 rejects "_" options in files.)
 */

export type RadicaleErrorCode =
  | 'NOT_INSTALLED'
  | 'INSTALL_FAILED'
  | 'TOO_OLD'
  | 'INVALID_OPTIONS'
  | 'PORT_IN_USE'
  | 'SPAWN_FAILED'
  | 'EXITED'
  | 'AUTH_FAILED'
  | 'START_TIMEOUT'
  | 'REQUEST_FAILED';

export class RadicaleError extends Error {
  constructor(
    readonly code: RadicaleErrorCode,
    message: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = 'RadicaleError';
  }
}

export interface RadicaleUser {
  username: string;
  password: string;
}

export type RadicaleLogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export interface StartRadicaleOptions {
  /** At least one; each gets a principal collection `/<username>/`, created before start returns. */
  users: RadicaleUser[];
  /** 0 or undefined = a free port. A given port that is already in use is an error. */
  port?: number;
  log?: (line: string) => void;
  /** How to run Radicale; default: whatever `ensureRadicale` finds or installs. */
  binary?: string;
  /** How long to wait for the server to answer; default 30 s. */
  startTimeoutMs?: number;
  /** Radicale's log level (written to `logFile`, never to the console); default "info". */
  logLevel?: RadicaleLogLevel;
}

export interface RadicaleServer {
  /** `http://127.0.0.1:PORT` (no trailing slash) */
  url: string;
  port: number;
  pid: number;
  /** Radicale's `filesystem_folder` (collections live under `collection-root/`). */
  storageDir: string;
  /** The temp directory holding config, htpasswd, storage and log; removed by `stop()`. */
  dir: string;
  logFile: string;
  /** Last lines of Radicale's log, for assertion messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface CreateCalendarOptions {
  /** Last path segment of the calendar: letters, digits, `.`, `_`, `-`. */
  slug: string;
  displayName: string;
  description?: string;
  /** e.g. `#ff0000ff` (Apple's calendar-color) */
  color?: string;
  /** supported-calendar-component-set; default `['VEVENT']`. */
  components?: Array<'VEVENT' | 'VTODO' | 'VJOURNAL'>;
}

/** Debian's entry point first: `python3` on PATH may be a pyenv/venv interpreter without the module. */
const CANDIDATES = ['/usr/bin/radicale', '/usr/local/bin/radicale'];
const MIN_MAJOR = 3;
const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const INSTALL_LOCK = path.join(os.tmpdir(), 'booking-calendar-sync-radicale-install.lock');
const INSTALL_HINT =
  'Install it with `sudo apt-get install -y --no-install-recommends radicale` (Debian/Ubuntu), ' +
  'or `pip install "radicale>=3"` so that `radicale` is on PATH.';

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// Install

let ensuring: Promise<string> | undefined;

/**
 * Returns the command that runs Radicale ≥ 3 (normally `/usr/bin/radicale`). When it is missing and
 * we are root, installs the Debian package (apt-get, about 10–20 s); otherwise throws NOT_INSTALLED
 * with instructions.
 */
export function ensureRadicale(log: (line: string) => void = defaultLog): Promise<string> {
  ensuring ??= findOrInstall(log).catch((err: unknown) => {
    ensuring = undefined; // let a later call try again
    throw err;
  });
  return ensuring;
}

async function findOrInstall(log: (line: string) => void): Promise<string> {
  const found = await findRadicale();
  if (found.binary) return found.binary;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new RadicaleError(
      found.tooOld ? 'TOO_OLD' : 'NOT_INSTALLED',
      `${found.tooOld ? `Radicale ${found.tooOld} is too old (need ${MIN_MAJOR}.x)` : 'Radicale is not installed'}: ` +
        `the CalDAV tests run against a local Radicale server. ${INSTALL_HINT}`,
    );
  }
  const release = await acquireInstallLock(log);
  try {
    // Another process may have installed it while we waited for the lock.
    const again = await findRadicale();
    if (again.binary) return again.binary;
    await aptInstall(log);
  } finally {
    release();
  }
  const installed = await findRadicale();
  if (!installed.binary) {
    throw new RadicaleError(
      'INSTALL_FAILED',
      `apt-get installed radicale but no usable Radicale ${MIN_MAJOR}.x was found ` +
        `(looked at ${candidatePaths().join(', ')}${installed.tooOld ? `; found version ${installed.tooOld}` : ''}).`,
    );
  }
  return installed.binary;
}

function candidatePaths(): string[] {
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && path.isAbsolute(dir))
    .map((dir) => path.join(dir, 'radicale'));
  return [...new Set([...CANDIDATES, ...onPath])];
}

async function findRadicale(): Promise<{ binary?: string; tooOld?: string }> {
  let tooOld: string | undefined;
  for (const candidate of candidatePaths()) {
    if (!isExecutable(candidate)) continue;
    const version = await radicaleVersion(candidate);
    if (version === undefined) continue; // e.g. a pyenv shim for an interpreter without the module
    const major = Number(version.split('.')[0]);
    if (major >= MIN_MAJOR) return { binary: candidate };
    tooOld ??= version;
  }
  return tooOld ? { tooOld } : {};
}

/** `radicale --version` prints e.g. `3.1.8`; undefined when it does not run. */
export function radicaleVersion(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { env: childEnv(), timeout: 20_000 }, (err, stdout) => {
      const match = /(\d+\.\d+(?:\.\d+)?)/.exec(String(stdout));
      resolve(err || !match ? undefined : match[1]);
    });
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function aptInstall(log: (line: string) => void): Promise<void> {
  log('Installing Radicale (CalDAV test server) from Debian with apt-get, first run only…');
  const started = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for other apt/dpkg runs (e.g. a browser install in a parallel test file) instead of failing.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  await run('apt-get', [...lockWait, 'update', '-qq'], env);
  await run('apt-get', [...lockWait, 'install', '-y', '-qq', '--no-install-recommends', 'radicale'], env);
  log(`Radicale installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new RadicaleError('INSTALL_FAILED', `Could not run ${command}: ${err.message}. ${INSTALL_HINT}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new RadicaleError(
            'INSTALL_FAILED',
            `\`${command} ${args.join(' ')}\` failed (${signal ? `signal ${signal}` : `exit code ${code}`}). ` +
              `${INSTALL_HINT}\n--- output ---\n${output.trimEnd().split('\n').slice(-30).join('\n')}`,
          ),
        );
    });
  });
}

/** O_EXCL lock file with the holder's pid, so parallel test processes do not race apt-get. */
async function acquireInstallLock(log: (line: string) => void): Promise<() => void> {
  const deadline = Date.now() + 10 * 60_000;
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(INSTALL_LOCK, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(INSTALL_LOCK, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readOr(INSTALL_LOCK, ''), 10);
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      // Holder died (or is still writing its pid: then its file is younger than a second).
      const age = Date.now() - (fs.statSync(INSTALL_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 1_000) fs.rmSync(INSTALL_LOCK, { force: true });
    } else if (!announced) {
      log(`Waiting for process ${holder}, which is installing Radicale (lock ${INSTALL_LOCK})…`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new RadicaleError(
        'INSTALL_FAILED',
        `Gave up waiting for another process to install Radicale; delete ${INSTALL_LOCK} if none is running.`,
      );
    }
    await sleep(500);
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
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
// Start / stop

export async function startRadicale(opts: StartRadicaleOptions): Promise<RadicaleServer> {
  const log = opts.log ?? defaultLog;
  validateUsers(opts.users);
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65_535)) {
    throw new RadicaleError('INVALID_OPTIONS', `port must be an integer 0–65535, got ${opts.port}`);
  }
  if (opts.port && (await isPortInUse(opts.port, HOST))) {
    throw new RadicaleError(
      'PORT_IN_USE',
      `Cannot start Radicale: ${HOST}:${opts.port} is already in use. Free it, or omit the port to get a free one.`,
    );
  }
  const binary = opts.binary ?? (await ensureRadicale(log));

  // A port we picked ourselves can be taken before Radicale binds it: only then retry.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await findFreePort(HOST));
    try {
      return await startOnce(opts, binary, port, log);
    } catch (err) {
      const retryable = err instanceof RadicaleError && err.code === 'PORT_IN_USE' && !opts.port && attempt < PORT_ATTEMPTS;
      if (!retryable) throw err;
      log(`Radicale: port ${port} was taken meanwhile, trying another one`);
    }
  }
}

function validateUsers(users: RadicaleUser[]): void {
  if (users.length === 0) throw new RadicaleError('INVALID_OPTIONS', 'at least one user is needed');
  const seen = new Set<string>();
  for (const { username, password } of users) {
    // Radicale refuses usernames that are not one safe path segment; ':' would break htpasswd.
    if (!USERNAME.test(username)) {
      throw new RadicaleError(
        'INVALID_OPTIONS',
        `username ${JSON.stringify(username)} must match ${USERNAME.source} (it becomes the path /<username>/)`,
      );
    }
    if (seen.has(username)) throw new RadicaleError('INVALID_OPTIONS', `duplicate username ${username}`);
    seen.add(username);
    if (password === '' || /[\r\n]/.test(password)) {
      throw new RadicaleError('INVALID_OPTIONS', `password of ${username} must be non-empty and on one line`);
    }
  }
}

function configText(port: number, dir: string, logLevel: RadicaleLogLevel): string {
  return [
    '# Throwaway CalDAV server for tests (written by tools/support/radicale.ts)',
    '[server]',
    `hosts = ${HOST}:${port}`,
    'max_connections = 20',
    'timeout = 30',
    '',
    '[auth]',
    'type = htpasswd',
    `htpasswd_filename = ${path.join(dir, 'users')}`,
    'htpasswd_encryption = plain',
    'delay = 0',
    '',
    '[rights]',
    'type = owner_only',
    '',
    '[storage]',
    'type = multifilesystem',
    `filesystem_folder = ${path.join(dir, 'collections')}`,
    'hook =',
    '',
    '[web]',
    'type = none',
    '',
    '[logging]',
    `level = ${logLevel}`,
    'mask_passwords = True',
    '',
  ].join('\n');
}

async function startOnce(opts: StartRadicaleOptions, binary: string, port: number, log: (line: string) => void): Promise<RadicaleServer> {
  const url = `http://${HOST}:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radicale-test-'));
  const storageDir = path.join(dir, 'collections');
  const configFile = path.join(dir, 'config');
  const logFile = path.join(dir, 'radicale.log');
  fs.mkdirSync(storageDir, { mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'users'), opts.users.map((u) => `${u.username}:${u.password}\n`).join(''), {
    mode: 0o600,
  });
  fs.writeFileSync(configFile, configText(port, dir, opts.logLevel ?? 'info'), { mode: 0o600 });

  // Linux: the kernel sends SIGTERM to Radicale if this process dies without running exit hooks
  // (SIGKILL, OOM). setpriv execs Radicale, so the pid we hold is Radicale's own.
  const radicaleArgs = ['--config', configFile];
  const setpriv = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find(isExecutable) : undefined;
  const [command, args] = setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', binary, ...radicaleArgs]] : [binary, radicaleArgs];

  const fd = fs.openSync(logFile, 'w', 0o600);
  fs.writeSync(fd, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], env: childEnv(), cwd: dir });
  } finally {
    fs.closeSync(fd);
  }
  child.unref();

  type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: Error };
  let exited: Exit | undefined;
  const exit = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let forget = (): void => undefined;
  void exit.then((e) => {
    exited = e;
    forget();
  });
  forget = onParentExit(() => {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let stopped: Promise<void> | undefined;
  const stop = (keepDir = false): Promise<void> => {
    stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const graceful = await Promise.race([exit.then(() => true), sleep(5_000).then(() => false)]);
        if (!graceful) {
          log(`Radicale (pid ${child.pid}) did not stop within 5 s; killing it`);
          child.kill('SIGKILL');
          await exit;
        }
      }
      forget();
      if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const logTail = (lines = 30): string => tailOf(logFile, lines);
  const failure = (code: RadicaleErrorCode, message: string): RadicaleError =>
    new RadicaleError(code, `${message}\n--- last lines of ${logFile} ---\n${logTail()}`, logFile);

  try {
    await waitUntilReady(url, opts.users, started + (opts.startTimeoutMs ?? 30_000), () => exited, logTail, failure);
  } catch (err) {
    // Keep the directory (and its log) only when the error points at it.
    const keep = err instanceof RadicaleError && err.code !== 'PORT_IN_USE';
    await stop(keep);
    if (keep) log(`Radicale failed to start; its files are kept in ${dir}`);
    throw err;
  }
  log(`Radicale ready at ${url} (${opts.users.length} user(s), storage ${storageDir}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url, port, pid: child.pid ?? -1, storageDir, dir, logFile, logTail, stop: () => stop() };
}

/**
 * Ready = every user gets 207 for PROPFIND Depth 0 on their principal `/<username>/`. That checks
 * the htpasswd setup per user and makes Radicale create each principal collection (it does so on
 * a user's first authenticated request).
 */
async function waitUntilReady(
  url: string,
  users: RadicaleUser[],
  deadline: number,
  hasExited: () => { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined,
  logTail: (lines?: number) => string,
  failure: (code: RadicaleErrorCode, message: string) => RadicaleError,
): Promise<void> {
  let lastProblem = 'no answer yet';
  const pending = [...users];
  for (;;) {
    const exited = hasExited();
    if (exited) {
      if (exited.error) throw failure('SPAWN_FAILED', `Could not run Radicale: ${exited.error.message}`);
      if (/address already in use/i.test(logTail(200))) {
        throw failure('PORT_IN_USE', `Radicale could not bind ${url}: address already in use.`);
      }
      throw failure(
        'EXITED',
        `Radicale exited during startup (${exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`}).`,
      );
    }
    if (Date.now() > deadline) {
      throw failure('START_TIMEOUT', `Radicale at ${url} was not ready in time (last problem: ${lastProblem}).`);
    }
    const user = pending[0];
    if (!user) return;
    try {
      const res = await fetch(`${url}${principalPath(user.username)}`, {
        method: 'PROPFIND',
        headers: { Authorization: basicAuth(user.username, user.password), Depth: '0', 'Content-Type': 'application/xml' },
        body: PROPFIND_RESOURCETYPE,
        signal: AbortSignal.timeout(3_000),
      });
      await res.arrayBuffer();
      if (res.status === 207) {
        pending.shift();
        continue;
      }
      if (res.status === 401) {
        throw failure('AUTH_FAILED', `Radicale at ${url} rejected the credentials of ${user.username} (401).`);
      }
      lastProblem = `PROPFIND ${principalPath(user.username)} answered ${res.status}`;
    } catch (err) {
      if (err instanceof RadicaleError) throw err;
      lastProblem = errorText(err);
    }
    await sleep(100);
  }
}

const PROPFIND_RESOURCETYPE =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';

// ---------------------------------------------------------------------------------------------
// Helpers for tests

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** `/<username>/`, URL-encoded. */
export function principalPath(username: string): string {
  return `/${encodeURIComponent(username)}/`;
}

/**
 * Creates a calendar `/<user>/<slug>/` with MKCALENDAR (display name, optional description and
 * colour, supported components) and returns its absolute URL with a trailing slash.
 * Throws REQUEST_FAILED unless the server answers 201 (Radicale: 409 resource-must-be-null when it exists,
 * 403 under another user's principal).
 */
export async function createCalendar(url: string, username: string, password: string, opts: CreateCalendarOptions): Promise<string> {
  if (!SLUG.test(opts.slug)) {
    throw new RadicaleError('INVALID_OPTIONS', `calendar slug ${JSON.stringify(opts.slug)} must match ${SLUG.source}`);
  }
  const components = opts.components ?? ['VEVENT'];
  const props = [
    `<D:displayname>${xmlEscape(opts.displayName)}</D:displayname>`,
    opts.description === undefined ? '' : `<C:calendar-description>${xmlEscape(opts.description)}</C:calendar-description>`,
    opts.color === undefined ? '' : `<A:calendar-color>${xmlEscape(opts.color)}</A:calendar-color>`,
    `<C:supported-calendar-component-set>${components.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set>`,
  ].join('');
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">' +
    `<D:set><D:prop>${props}</D:prop></D:set></C:mkcalendar>`;
  const calendarUrl = new URL(`${principalPath(username)}${opts.slug}/`, url).toString();
  const res = await fetch(calendarUrl, {
    method: 'MKCALENDAR',
    headers: { Authorization: basicAuth(username, password), 'Content-Type': 'application/xml; charset=utf-8' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 201) {
    throw new RadicaleError(
      'REQUEST_FAILED',
      `MKCALENDAR ${calendarUrl} as ${username} answered ${res.status} ${res.statusText}: ${text.slice(0, 500)}`,
    );
  }
  return calendarUrl;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

// ---------------------------------------------------------------------------------------------
// Misc

/** Radicale reads RADICALE_CONFIG; PYTHONPATH/PYTHONHOME could point Debian's python3 at the wrong modules. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('RADICALE_') || k === 'PYTHONPATH' || k === 'PYTHONHOME') continue;
    env[k] = v;
  }
  return env;
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}
