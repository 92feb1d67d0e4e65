import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { onParentExit, sleep, tailOf } from './child-processes';
import { findFreePort, isPortInUse } from './ports';

/**
 * Runs `temporal server start-dev` as a child process for `npm start` and the tests, and only
 * returns once the server really serves: frontend up, namespace present, search attributes
 * registered. Its own output goes to a log file whose tail is put into every startup error.
 */

export type SearchAttributeTypeName = 'Keyword' | 'KeywordList' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime';

export interface DevServerOptions {
  binary: string;
  /** Persistent SQLite file; omitted = in-memory (state is lost when the server stops). */
  dbFile?: string;
  /** Frontend gRPC port; 0 or undefined = a free port. */
  port?: number;
  /** Web UI port; undefined = a free port. Ignored when headless. */
  uiPort?: number;
  headless?: boolean;
  /** Remote codec the Web UI calls to show encrypted payloads (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Namespace that must exist (created if missing); default "default". */
  namespace?: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  log?: (line: string) => void;
  /** How long to wait for the server to become ready; default 60 s. */
  startTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the frontend gRPC service */
  address: string;
  uiUrl?: string;
  namespace: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export type DevServerErrorCode =
  | 'PORT_IN_USE'
  | 'SPAWN_FAILED'
  | 'EXITED'
  | 'START_TIMEOUT'
  | 'SEARCH_ATTRIBUTE_CONFLICT'
  | 'SEARCH_ATTRIBUTE_REGISTRATION_FAILED'
  | 'INVALID_OPTIONS';

export class DevServerError extends Error {
  constructor(
    readonly code: DevServerErrorCode,
    message: string,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = 'DevServerError';
  }
}

const CLI_TYPE_TO_SDK = {
  Keyword: 'KEYWORD',
  KeywordList: 'KEYWORD_LIST',
  Text: 'TEXT',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
} as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;

const defaultLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const log = opts.log ?? defaultLog;
  const namespace = opts.namespace ?? 'default';
  validate(opts, namespace);

  if (opts.port) await assertPortFree(opts.port, 'frontend');
  if (!opts.headless && opts.uiPort) await assertPortFree(opts.uiPort, 'Web UI');

  // A port we picked ourselves can be grabbed by someone else before the server binds it;
  // only then is a retry with another port the right answer.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await findFreePort(HOST));
    const uiPort = opts.headless ? undefined : opts.uiPort || (await findFreePort(HOST));
    try {
      return await startOnce(opts, namespace, port, uiPort, log);
    } catch (err) {
      const retryable =
        err instanceof DevServerError &&
        err.code === 'PORT_IN_USE' &&
        !opts.port &&
        !(opts.uiPort && !opts.headless) &&
        attempt < PORT_ATTEMPTS;
      if (!retryable) throw err;
      log(`Temporal dev server: port ${port} was taken meanwhile, trying another one`);
    }
  }
}

function validate(opts: DevServerOptions, namespace: string): void {
  for (const [name, type] of Object.entries(opts.searchAttributes)) {
    if (!IDENTIFIER.test(name)) {
      throw new DevServerError('INVALID_OPTIONS', `search attribute name "${name}" must be an identifier`);
    }
    if (!(type in CLI_TYPE_TO_SDK)) {
      throw new DevServerError('INVALID_OPTIONS', `search attribute "${name}" has unknown type "${String(type)}"`);
    }
  }
  if (namespace.trim() === '') throw new DevServerError('INVALID_OPTIONS', 'namespace must not be empty');
}

async function assertPortFree(port: number, what: string): Promise<void> {
  if (!(await isPortInUse(port, HOST))) return;
  // Connecting to an already running server would make us report "ready" for the wrong
  // process, so refuse up front and say who holds the port if we can tell.
  const temporal = await answersAsTemporal(`${HOST}:${port}`);
  throw new DevServerError(
    'PORT_IN_USE',
    temporal
      ? `Cannot start the Temporal dev server: ${HOST}:${port} is already used by another Temporal server ` +
          `(a dev server left running?). Stop it, or choose another port.`
      : `Cannot start the Temporal dev server: the ${what} port ${HOST}:${port} is already in use by another program. ` +
          `Free it, or choose another port.`,
  );
}

async function answersAsTemporal(address: string): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1_500, interceptors: [] });
    const c = conn;
    await c.withDeadline(Date.now() + 1_500, () => c.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

async function startOnce(
  opts: DevServerOptions,
  namespace: string,
  port: number,
  uiPort: number | undefined,
  log: (line: string) => void,
): Promise<DevServer> {
  const address = `${HOST}:${port}`;
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port), '--log-level', 'error'];
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (uiPort !== undefined && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile) args.push('--db-filename', path.resolve(opts.dbFile));
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(opts.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);

  let logFile: string;
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
    logFile = `${path.resolve(opts.dbFile)}.log`;
  } else {
    logFile = path.join(os.tmpdir(), `booking-calendar-sync-temporal-${port}-${crypto.randomBytes(4).toString('hex')}.log`);
  }
  // Truncate per start: the tail shown in errors must belong to this run.
  const fd = fs.openSync(logFile, 'w', 0o600);
  fs.writeSync(fd, `# ${new Date().toISOString()} ${opts.binary} ${args.join(' ')}\n`);

  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(opts.binary, args, { stdio: ['ignore', fd, fd], env: childEnv() });
  } finally {
    fs.closeSync(fd); // the child has its own copy
  }
  // Do not keep the parent alive just for the server; the exit hook below stops it.
  child.unref();

  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  let forget = (): void => undefined;
  void exit.then((e) => {
    exited = e;
    forget();
  });
  if (child.pid !== undefined) forget = onParentExit(() => child.kill('SIGTERM'));

  let stopped: Promise<void> | undefined;
  const stop = (keepLog = false): Promise<void> => {
    stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const graceful = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
        if (!graceful) {
          log(`Temporal dev server (pid ${child.pid}) did not stop within 10 s; killing it`);
          child.kill('SIGKILL');
          await exit;
        }
      }
      forget();
      // The temp log of an in-memory server is only worth keeping when startup failed.
      if (!opts.dbFile && !keepLog) fs.rmSync(logFile, { force: true });
    })();
    return stopped;
  };

  const logTail = (): string => tailOf(logFile);
  const failure = (code: DevServerErrorCode, message: string): DevServerError =>
    new DevServerError(code, `${message}\n--- last lines of ${logFile} ---\n${logTail()}`, logFile);

  try {
    await waitUntilReady({
      address,
      namespace,
      searchAttributes: opts.searchAttributes,
      deadline: started + (opts.startTimeoutMs ?? 60_000),
      hasExited: () => exited,
      logTail,
      failure,
      log,
    });
  } catch (err) {
    await stop(true);
    if (err instanceof DevServerError) throw err;
    throw failure('START_TIMEOUT', `Temporal dev server did not become ready: ${(err as Error).message}`);
  }

  const uiUrl = uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`;
  log(
    `Temporal dev server ready at ${address} (namespace ${namespace}, ${opts.dbFile ? `db ${opts.dbFile}` : 'in-memory'}` +
      `${uiUrl ? `, UI ${uiUrl}` : ''}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { address, namespace, pid: child.pid ?? -1, logFile, stop: () => stop(), ...(uiUrl ? { uiUrl } : {}) };
}

/** The CLI reads TEMPORAL_* settings (address, TLS, API key…) meant for client commands; keep them out. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TEMPORAL_')) env[k] = v;
  return env;
}

interface ReadyCheck {
  address: string;
  namespace: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  deadline: number;
  hasExited: () => { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  logTail: () => string;
  failure: (code: DevServerErrorCode, message: string) => DevServerError;
  log: (line: string) => void;
}

/** gRPC status codes the operator API answers with. */
const GRPC_ALREADY_EXISTS = 6;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_FAILED_PRECONDITION = 9;

async function waitUntilReady(check: ReadyCheck): Promise<void> {
  const wanted = Object.entries(check.searchAttributes).map(([name, type]) => {
    const value = encodeSearchAttributeIndexedValueType(CLI_TYPE_TO_SDK[type]);
    if (value === undefined) throw new DevServerError('INVALID_OPTIONS', `unknown search attribute type ${type}`);
    return { name, type, value };
  });
  let conn: Connection | undefined;
  let lastProblem = 'no answer yet';
  let registered = false;
  try {
    for (;;) {
      const exited = check.hasExited();
      if (exited) throw exitFailure(exited, check);
      if (Date.now() > check.deadline) {
        throw check.failure(
          'START_TIMEOUT',
          `Temporal dev server at ${check.address} was not ready in time (last problem: ${lastProblem}).`,
        );
      }
      try {
        // No retry interceptor: each probe must fail fast so we can look at the process again.
        conn ??= await Connection.connect({ address: check.address, connectTimeout: 1_000, interceptors: [] });
        const c = conn;
        const call = <T>(fn: () => Promise<T>): Promise<T> => c.withDeadline(Date.now() + 3_000, fn);
        await call(() => c.workflowService.getSystemInfo({}));
        lastProblem = `namespace "${check.namespace}" not found`;
        await call(() => c.workflowService.describeNamespace({ namespace: check.namespace }));
        lastProblem = 'search attributes not visible';
        const listed = await call(() => c.operatorService.listSearchAttributes({ namespace: check.namespace }));
        const custom = listed.customAttributes ?? {};
        const conflicts = wanted.filter((w) => custom[w.name] !== undefined && custom[w.name] !== w.value);
        if (conflicts.length > 0) {
          throw check.failure(
            'SEARCH_ATTRIBUTE_CONFLICT',
            `Search attribute(s) ${conflicts.map((c2) => c2.name).join(', ')} already exist in namespace ` +
              `"${check.namespace}" with a different type than requested (${conflicts
                .map((c2) => `${c2.name}=${c2.type}`)
                .join(', ')}). Use new names, or delete the dev server's database file to start over.`,
          );
        }
        const missing = wanted.filter((w) => custom[w.name] === undefined);
        if (missing.length === 0) return;
        // The CLI registers --search-attribute only when it creates a namespace, so attributes
        // added since the database file was made must be registered through the operator API.
        if (!registered) {
          try {
            await call(() =>
              c.operatorService.addSearchAttributes({
                namespace: check.namespace,
                searchAttributes: Object.fromEntries(missing.map((m) => [m.name, m.value])),
              }),
            );
            check.log(
              `Registered search attribute(s) ${missing.map((m) => `${m.name}=${m.type}`).join(', ')} ` +
                `in the existing Temporal database`,
            );
            registered = true;
          } catch (err) {
            const code = (err as { code?: number }).code;
            if (code === GRPC_ALREADY_EXISTS) {
              registered = true;
            } else if (code === GRPC_INVALID_ARGUMENT || code === GRPC_FAILED_PRECONDITION) {
              throw check.failure(
                'SEARCH_ATTRIBUTE_REGISTRATION_FAILED',
                `Could not register search attribute(s) ${missing.map((m) => m.name).join(', ')}: ${(err as Error).message}`,
              );
            } else {
              throw err;
            }
          }
        }
      } catch (err) {
        if (err instanceof DevServerError) throw err;
        lastProblem = `${lastProblem === 'no answer yet' ? '' : `${lastProblem}: `}${(err as Error).message}`;
      }
      await sleep(200);
    }
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

function exitFailure(exited: { code: number | null; signal: NodeJS.Signals | null; error?: Error }, check: ReadyCheck): DevServerError {
  if (exited.error) {
    return check.failure('SPAWN_FAILED', `Could not run the Temporal CLI: ${exited.error.message}`);
  }
  if (/address already in use/i.test(check.logTail())) {
    return check.failure(
      'PORT_IN_USE',
      `Temporal dev server could not bind ${check.address}: address already in use (another dev server running?).`,
    );
  }
  return check.failure(
    'EXITED',
    `Temporal dev server exited during startup (${exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`}).`,
  );
}
