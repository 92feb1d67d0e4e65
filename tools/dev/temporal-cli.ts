import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './child-processes';

/**
 * Finds, fetches or builds the `temporal` CLI that runs the local dev server for `npm start` and
 * the tests, taking the first that works of:
 *   1. `temporal` on PATH;
 *   2. a CLI an earlier run built with `go install` into the per-user cache;
 *   3. the dev server the Temporal SDK downloaded earlier (its cache: the OS temp dir, or ours);
 *   4. the SDK's download from temporal.download (seconds where the network allows; a short
 *      reachability probe makes it give up at once where it does not);
 *   5. `go install` from source into the cache (minutes; Go is the only prerequisite).
 */

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
/** Where `@temporalio/testing` resolves from, for the download's child process. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export type TemporalCliErrorCode = 'GO_NOT_FOUND' | 'GO_TOO_OLD' | 'BUILD_FAILED' | 'LOCK_TIMEOUT';

export class TemporalCliError extends Error {
  constructor(
    readonly code: TemporalCliErrorCode,
    message: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = 'TemporalCliError';
  }
}

export interface EnsureTemporalCliOptions {
  log?: (line: string) => void;
  /** Root of the cache; default `${XDG_CACHE_HOME || ~/.cache}/booking-calendar-sync`. */
  cacheRoot?: string;
  /** Look for `temporal` on PATH first (default true). */
  usePath?: boolean;
  /** Replaces the ways of getting the CLI (tests); each one left out is the real one. */
  sources?: Partial<TemporalCliSources>;
}

/** The ways of getting the CLI, in the order they are tried. Each answers a runnable binary or undefined. */
export interface TemporalCliSources {
  onPath(): Promise<string | undefined>;
  /** Built by an earlier `go install` into the cache. */
  built(): Promise<string | undefined>;
  /** Downloaded earlier by the Temporal SDK. */
  sdkCached(): Promise<string | undefined>;
  /** Downloaded now by the Temporal SDK; undefined (quickly) when it cannot. */
  sdkDownload(): Promise<string | undefined>;
  /** `go install` now; throws TemporalCliError when it cannot. */
  goInstall(): Promise<string>;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function defaultCacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'booking-calendar-sync');
}

/** Where the built binary lives: `<cacheRoot>/temporal-v1.5.1/temporal`. */
export function cachedTemporalCliPath(cacheRoot = defaultCacheRoot()): string {
  return path.join(cacheRoot, `temporal-${TEMPORAL_CLI_VERSION}`, EXE);
}

/** Returns the path of a usable `temporal` binary, downloading or building it if needed. */
export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const log = opts.log ?? defaultLog;
  const cacheRoot = opts.cacheRoot ?? defaultCacheRoot();
  const sources: TemporalCliSources = { ...realSources(cacheRoot, log), ...opts.sources };

  if (opts.usePath !== false) {
    const onPath = await sources.onPath();
    if (onPath) return onPath;
  }
  const built = await sources.built();
  if (built) return built;
  const cached = await sources.sdkCached();
  if (cached) {
    log(`Using the Temporal CLI the Temporal SDK downloaded earlier: ${cached}`);
    return cached;
  }
  const downloaded = await sources.sdkDownload();
  if (downloaded) return downloaded;
  return sources.goInstall();
}

function realSources(cacheRoot: string, log: (line: string) => void): TemporalCliSources {
  const binary = cachedTemporalCliPath(cacheRoot);
  return {
    onPath: async () => {
      const onPath = findOnPath(EXE);
      if (!onPath) return undefined;
      const version = await binaryVersion(onPath);
      if (version !== undefined) {
        log(`Using temporal from PATH: ${onPath} (${version})`);
        return onPath;
      }
      log(`Ignoring ${onPath} on PATH: it does not run (\`temporal --version\` failed)`);
      return undefined;
    },
    built: () => Promise.resolve(isExecutable(binary) ? binary : undefined),
    sdkCached: () => findSdkDownload([cacheRoot, os.tmpdir()]),
    sdkDownload: () => downloadThroughSdk({ downloadDir: cacheRoot, log }),
    goInstall: () => buildWithGo(binary, cacheRoot, log),
  };
}

async function buildWithGo(binary: string, cacheRoot: string, log: (line: string) => void): Promise<string> {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const lockPath = path.join(cacheRoot, `temporal-${TEMPORAL_CLI_VERSION}.lock`);
  const release = await acquireBuildLock(lockPath, () => isExecutable(binary), log);
  if (release === undefined) return binary; // another process finished the build while we waited
  try {
    // Re-check under the lock: a build may have completed between our check and the lock.
    if (isExecutable(binary)) return binary;
    await buildInto(binary, cacheRoot, log);
    return binary;
  } finally {
    release();
  }
}

// ---------------------------------------------------------------------------------------------
// The Temporal SDK's download of the dev server
//
// `@temporalio/testing` (through sdk-core) downloads the CLI from temporal.download into a
// directory, the OS temp dir unless told otherwise, as `temporal-sdk-typescript-<SDK version>`
// (the CLI release that SDK version is tested with). It downloads only on the way to starting a
// server, so the download runs a local test environment in a child process and tears it down.

/** The file name the SDK gives its download, for the installed `@temporalio/testing`. */
export function sdkDownloadName(): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(require.resolve('@temporalio/testing/package.json'), 'utf8')) as { version?: string };
    return pkg.version ? `temporal-sdk-typescript-${pkg.version}${process.platform === 'win32' ? '.exe' : ''}` : undefined;
  } catch {
    return undefined; // the SDK's testing package is not installed
  }
}

/** The SDK's earlier download in one of `dirs`, if it runs. */
export async function findSdkDownload(dirs: string[]): Promise<string | undefined> {
  const name = sdkDownloadName();
  if (!name) return undefined;
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate) && (await binaryVersion(candidate)) !== undefined) return candidate;
  }
  return undefined;
}

export interface SdkDownloadOptions {
  downloadDir: string;
  log: (line: string) => void;
  /** Answering at all within `probeTimeoutMs` is what "the network allows" means. */
  probeUrl?: string;
  probeTimeoutMs?: number;
  /** The download itself (tens of MB). */
  timeoutMs?: number;
}

/** Asks the SDK to download the CLI into `downloadDir`; undefined when it cannot. */
export async function downloadThroughSdk(opts: SdkDownloadOptions): Promise<string | undefined> {
  const name = sdkDownloadName();
  if (!name) return undefined;
  const probeUrl = opts.probeUrl ?? 'https://temporal.download/';
  try {
    await fetch(probeUrl, { method: 'HEAD', signal: AbortSignal.timeout(opts.probeTimeoutMs ?? 5_000) });
  } catch (err) {
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    opts.log(`The Temporal SDK cannot download the CLI here (${new URL(probeUrl).host}: ${reason}).`);
    return undefined;
  }
  fs.mkdirSync(opts.downloadDir, { recursive: true });
  const dest = path.join(opts.downloadDir, name);
  opts.log(`Downloading the Temporal CLI through the Temporal SDK into ${dest}…`);
  const started = Date.now();
  const script =
    `const { TestWorkflowEnvironment } = require('@temporalio/testing');` +
    `TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir: ${JSON.stringify(opts.downloadDir)}, ttl: '3650d' },` +
    ` ui: false, log: { format: 'pretty', level: 'error' } } })` +
    `.then((env) => env.teardown()).then(() => process.exit(0), (err) => { console.error(String(err && err.message || err)); process.exit(1); });`;
  const result = await run(process.execPath, ['-e', script], process.env, undefined, opts.timeoutMs ?? 5 * 60_000, PROJECT_ROOT);
  if (isExecutable(dest) && (await binaryVersion(dest)) !== undefined) {
    opts.log(`Downloaded the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${dest}`);
    return dest;
  }
  // A download cut short leaves the SDK's temp file, which would make the next try wait on it.
  fs.rmSync(`${dest}.downloading`, { force: true });
  opts.log(`The Temporal SDK could not download the CLI (${result.spawnError?.message ?? lastLines(result.output, 3).trim()}).`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// PATH lookup

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function binaryVersion(binary: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 15_000 }, (err, stdout) => {
      resolve(err ? undefined : stdout.trim().split('\n')[0]);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Build lock
//
// A lock file created with O_EXCL, whose mtime the holder refreshes every few seconds. A waiter
// treats the lock as abandoned when the heartbeat stops (holder crashed, even on another host
// sharing the cache) or, on the same host, when the holder's pid is gone. Correctness does not
// depend on the lock: each build goes to its own temp dir and is renamed into place atomically,
// so the worst case of a lost race is one wasted build, never a half-written binary.

const HEARTBEAT_MS = 5_000;
const STALE_AFTER_MS = 60_000;
const MAX_WAIT_MS = 45 * 60_000;

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/** Resolves with a release function, or undefined when `isDone()` became true while waiting. */
async function acquireBuildLock(lockPath: string, isDone: () => boolean, log: (line: string) => void): Promise<(() => void) | undefined> {
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
      fs.writeSync(fd, JSON.stringify(info));
      fs.closeSync(fd);
      const heartbeat = setInterval(() => {
        const now = new Date();
        try {
          fs.utimesSync(lockPath, now, now);
        } catch {
          // lock removed under us (treated as stale by someone); the atomic rename still protects us
        }
      }, HEARTBEAT_MS);
      heartbeat.unref();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        try {
          fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }

    if (isDone()) return undefined;
    const holder = readLock(lockPath);
    if (holder === 'gone') continue;
    if (isStale(holder)) {
      log(`Removing an abandoned Temporal CLI build lock (${lockPath})`);
      try {
        fs.unlinkSync(lockPath);
      } catch {
        // someone else removed it first
      }
      continue;
    }
    if (!announced) {
      announced = true;
      const who = holder.info ? `pid ${holder.info.pid} on ${holder.info.host}` : 'another process';
      log(`Waiting for ${who}, which is building the Temporal CLI ${TEMPORAL_CLI_VERSION} (lock: ${lockPath})…`);
    }
    if (Date.now() - started > MAX_WAIT_MS) {
      throw new TemporalCliError(
        'LOCK_TIMEOUT',
        `Gave up after ${Math.round(MAX_WAIT_MS / 60_000)} minutes waiting for another process to build the Temporal CLI. ` +
          `If no build is running, delete ${lockPath}.`,
      );
    }
    await sleep(1_000);
  }
}

function readLock(lockPath: string): 'gone' | { mtimeMs: number; info: LockInfo | undefined } {
  try {
    const stat = fs.statSync(lockPath);
    let info: LockInfo | undefined;
    try {
      info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
    } catch {
      info = undefined; // being written right now, or garbage: judge by mtime alone
    }
    return { mtimeMs: stat.mtimeMs, info };
  } catch {
    return 'gone';
  }
}

function isStale(holder: { mtimeMs: number; info: LockInfo | undefined }): boolean {
  if (Date.now() - holder.mtimeMs > STALE_AFTER_MS) return true;
  const info = holder.info;
  if (info && info.host === os.hostname() && info.pid !== process.pid && !isAlive(info.pid)) return true;
  return false;
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
// Build

async function buildInto(binary: string, cacheRoot: string, log: (line: string) => void): Promise<void> {
  const goVersion = await checkGo();
  // Temp GOBIN next to the cache so the final rename stays on one filesystem (atomic).
  removeLeftoverBuildDirs(cacheRoot);
  const gobin = fs.mkdtempSync(path.join(cacheRoot, `temporal-${TEMPORAL_CLI_VERSION}.tmp-`));
  const logFile = path.join(cacheRoot, `temporal-${TEMPORAL_CLI_VERSION}.build.log`);
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only, takes a few minutes)…`);
  log(`  (${goVersion}; output in ${logFile})`);
  const started = Date.now();
  try {
    await goInstall({ target: `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`, gobin, logFile, log });
    const built = path.join(gobin, EXE);
    if (!isExecutable(built)) {
      throw new TemporalCliError('BUILD_FAILED', `go install succeeded but ${built} is missing`, logFile);
    }
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.renameSync(built, binary);
    log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

function removeLeftoverBuildDirs(cacheRoot: string): void {
  const prefix = `temporal-${TEMPORAL_CLI_VERSION}.tmp-`;
  for (const entry of fs.readdirSync(cacheRoot)) {
    if (entry.startsWith(prefix)) fs.rmSync(path.join(cacheRoot, entry), { recursive: true, force: true });
  }
}

/** The CLI's go.mod says `go 1.25.0`; older Go (>= 1.21) can still fetch that toolchain itself. */
const MIN_GO = [1, 25] as const;

async function checkGo(): Promise<string> {
  const result = await run('go', ['version']);
  if (result.spawnError?.code === 'ENOENT') {
    throw new TemporalCliError(
      'GO_NOT_FOUND',
      `The Temporal CLI (needed to run a local Temporal server) is not installed, could not be downloaded, and Go is not available to build it. ` +
        `Install Go >= ${MIN_GO.join('.')} (https://go.dev/dl/) or put a \`temporal\` binary on PATH ` +
        `(https://docs.temporal.io/cli#install), then run the command again.`,
    );
  }
  if (result.spawnError || result.exitCode !== 0) {
    throw new TemporalCliError('GO_NOT_FOUND', `\`go version\` failed: ${result.spawnError?.message ?? result.output.trim()}`);
  }
  const line = result.output.trim();
  const m = /go(\d+)\.(\d+)/.exec(line);
  if (m) {
    const major = Number(m[1]);
    const minor = Number(m[2]);
    // Below 1.21 Go cannot switch toolchains by itself, so the build is bound to fail.
    if (major === 1 && minor < 21) {
      throw new TemporalCliError(
        'GO_TOO_OLD',
        `${line} is too old to build the Temporal CLI ${TEMPORAL_CLI_VERSION}: install Go >= ${MIN_GO.join('.')} ` +
          `or put a \`temporal\` binary on PATH.`,
      );
    }
  }
  return line;
}

export interface GoInstallOptions {
  /** `module/path/cmd@version` */
  target: string;
  gobin: string;
  logFile: string;
  log: (line: string) => void;
  /** Extra environment (tests use it to point GOSUMDB/GOMODCACHE elsewhere). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * `go install target` with GOBIN set. If the checksum database cannot be reached (common behind
 * corporate proxies), retries once with GOSUMDB=off: the module's own go.sum still pins the hash
 * of every dependency, only the top module itself goes unverified.
 */
export async function goInstall(opts: GoInstallOptions): Promise<{ gosumdbOff: boolean }> {
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...opts.env, GOBIN: opts.gobin };
  fs.writeFileSync(opts.logFile, `$ go install ${opts.target}\n`);
  let result = await runGoInstall(opts, baseEnv);
  let gosumdbOff = baseEnv.GOSUMDB === 'off';
  if (result.exitCode !== 0 && !gosumdbOff && isChecksumDatabaseFailure(result.output)) {
    opts.log(
      'The Go checksum database (sum.golang.org) could not be reached; retrying with GOSUMDB=off ' +
        "(the CLI's own go.sum still pins every dependency).",
    );
    fs.appendFileSync(opts.logFile, '\n$ GOSUMDB=off go install (retry)\n');
    gosumdbOff = true;
    result = await runGoInstall(opts, { ...baseEnv, GOSUMDB: 'off' });
  }
  if (result.exitCode !== 0) {
    const tail = lastLines(result.output, 25);
    throw new TemporalCliError(
      'BUILD_FAILED',
      `go install ${opts.target} failed (${result.spawnError?.message ?? `exit code ${result.exitCode}`}). ` +
        `Full output: ${opts.logFile}\n${tail}\n` +
        `Alternatively put a \`temporal\` binary on PATH (https://docs.temporal.io/cli#install).`,
      opts.logFile,
    );
  }
  return { gosumdbOff };
}

export function isChecksumDatabaseFailure(output: string): boolean {
  return /sum\.golang\.org|verifying module|checksum database|sumdb/i.test(output);
}

async function runGoInstall(opts: GoInstallOptions, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const started = Date.now();
  // A build that prints nothing for minutes looks hung; say it is still going.
  const ticker = setInterval(() => {
    opts.log(`  …still building the Temporal CLI (${Math.round((Date.now() - started) / 60_000)} min)`);
  }, 60_000);
  ticker.unref();
  try {
    return await run('go', ['install', opts.target], env, opts.logFile, opts.timeoutMs ?? 30 * 60_000);
  } finally {
    clearInterval(ticker);
  }
}

interface RunResult {
  exitCode: number | null;
  output: string;
  spawnError?: NodeJS.ErrnoException;
}

/** Runs a command, collecting combined output (last 256 KiB) and appending it to `logFile`. */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  logFile?: string,
  timeoutMs = 60_000,
  cwd?: string,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let output = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-256 * 1024);
      if (logFile) fs.appendFileSync(logFile, text);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let spawnError: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => {
      spawnError = Object.assign(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' });
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError ??= err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal && !spawnError) spawnError = Object.assign(new Error(`killed by ${signal}`), { code: signal });
      resolve({ exitCode: spawnError ? null : code, output, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
