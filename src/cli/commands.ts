import { ConfigError } from '../config';
import { parseKeyring, type KeyringEntry } from '../crypto/keyring';
import { SecretBox } from '../crypto/secret-box';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { PgSecretReencryption } from '../db/reencrypt';
import { parseRole, type Role } from '../serve';

/** One-off jobs of the built service, run beside (never inside) the serving processes. */
export type JobName = 'migrate' | 'reencrypt';

/** What `node dist/main.js <arg>` does: serve in a role, or run a job and exit. */
export type Command = { kind: 'serve'; role: Role } | { kind: 'job'; job: JobName };

const JOBS: readonly JobName[] = ['migrate', 'reencrypt'];

export function parseCommand(arg: string | undefined): Command {
  if ((JOBS as readonly (string | undefined)[]).includes(arg)) return { kind: 'job', job: arg as JobName };
  try {
    return { kind: 'serve', role: parseRole(arg) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError([`unknown command "${arg}": serve with all (default), api or worker, or run migrate or reencrypt`]);
  }
}

/**
 * A job reads only the variables it uses, so it runs with the service's environment or with
 * just these: DATABASE_URL for both, ENCRYPTION_KEYS for reencrypt.
 */
function jobEnvironment(job: JobName, env: NodeJS.ProcessEnv): { databaseUrl: string; keys: KeyringEntry[] } {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL?.trim() ?? '';
  if (!databaseUrl) problems.push(`DATABASE_URL is required for ${job}`);
  let keys: KeyringEntry[] = [];
  if (job === 'reencrypt') {
    const keyring = parseKeyring(env.ENCRYPTION_KEYS ?? '');
    if (keyring.ok) keys = keyring.keys;
    else problems.push(...keyring.problems.map((p) => `ENCRYPTION_KEYS: ${p}`));
    // As when serving: production never seals with a generated development key.
    if (env.NODE_ENV === 'production' && keys.some((k) => k.id.startsWith('dev'))) {
      problems.push('ENCRYPTION_KEYS: development keys (id starting with "dev") are refused in production');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { databaseUrl, keys };
}

/**
 * Runs a job and returns the process's exit code; its result is one JSON document on `out`.
 * `migrate` applies pending migrations (every serving process also does at start). `reencrypt`
 * re-seals every stored secret and bookings' personal data under the first key of ENCRYPTION_KEYS
 * (key rotation, see the README); it exits 1 when a row could not be re-sealed, and is safe to run again.
 */
export async function runJob(job: JobName, env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const { databaseUrl, keys } = jobEnvironment(job, env);
  const pool = createPool(databaseUrl, 2);
  try {
    const applied = await migrate(pool);
    if (job === 'migrate') {
      out(`${JSON.stringify({ applied }, null, 2)}\n`);
      return 0;
    }
    const summary = await new PgSecretReencryption(pool, new SecretBox(keys)).reencryptAll();
    out(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.failed.length > 0 || summary.bookings.failed.length > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}
