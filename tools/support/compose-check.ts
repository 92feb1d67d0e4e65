import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultCacheRoot } from '../dev/temporal-cli';

/**
 * Builds and runs tools/compose-check: a Compose file loaded by the Compose Specification's own
 * loader (github.com/compose-spec/compose-go, the library behind `docker compose`). Built with Go
 * through the module proxy once per version of its sources, into the same per-user cache as the
 * Temporal CLI; a later run reuses the binary.
 */

const run = promisify(execFile);

export const COMPOSE_CHECK_SOURCE = path.resolve(__dirname, '../compose-check');
const SOURCES = ['go.mod', 'go.sum', 'main.go'];

/** `<cacheRoot>/compose-check-<hash of its sources>/compose-check`. */
export function cachedComposeCheckPath(cacheRoot = defaultCacheRoot()): string {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(fs.readFileSync(path.join(COMPOSE_CHECK_SOURCE, file)));
  return path.join(cacheRoot, `compose-check-${hash.digest('hex').slice(0, 12)}`, 'compose-check');
}

/** The built loader's path, building it with `go build` when this version is not cached yet. */
export async function ensureComposeCheck(opts: { cacheRoot?: string; log?: (line: string) => void } = {}): Promise<string> {
  const binary = cachedComposeCheckPath(opts.cacheRoot);
  if (fs.existsSync(binary)) return binary;
  const cacheRoot = path.dirname(path.dirname(binary));
  fs.mkdirSync(cacheRoot, { recursive: true });
  // Built into its own temp dir and renamed into place: concurrent builds never leave half a binary.
  const tmp = fs.mkdtempSync(path.join(cacheRoot, 'compose-check.tmp-'));
  try {
    opts.log?.(`Building tools/compose-check (compose-go) with Go, once: ${binary}`);
    // -mod=readonly: go.sum pins every module; nothing is resolved anew.
    await run('go', ['build', '-mod=readonly', '-o', path.join(tmp, 'compose-check'), '.'], {
      cwd: COMPOSE_CHECK_SOURCE,
      timeout: 20 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.renameSync(path.join(tmp, 'compose-check'), binary);
    return binary;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** What the loader made of a Compose file: the resolved project, or its error message. */
export type ComposeLoad = { ok: true; project: ComposeProject } | { ok: false; error: string };

export interface ComposeService {
  image?: string;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  ports?: Array<{ host_ip?: string; target: number; published?: string }>;
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean }>;
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  build?: { context: string; dockerfile: string };
}

export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
}

/** Loads `composeFile`, interpolating from `envFile` only (not this process's environment). */
export async function loadCompose(binary: string, composeFile: string, envFile: string): Promise<ComposeLoad> {
  try {
    const { stdout } = await run(binary, ['-env-file', envFile, composeFile], { maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, project: JSON.parse(stdout) as ComposeProject };
  } catch (err) {
    const failed = err as { stderr?: string; message: string };
    return { ok: false, error: (failed.stderr ?? '').trim() || failed.message };
  }
}
