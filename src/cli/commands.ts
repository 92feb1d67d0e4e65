import { ConfigError } from '../config';
import { parseKeyring, type KeyringEntry } from '../crypto/keyring';
import { SecretBox } from '../crypto/secret-box';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { PgSecretReencryption } from '../db/reencrypt';
import type { ReencryptSummary } from '../db/reencrypt';
import { parseRole, type Role } from '../serve';
import { HELP } from './help';
import { UsageError } from './usage';

/** One-off jobs of the built service, run beside (never inside) the serving processes. */
export type JobName = 'migrate' | 'reencrypt';

/** What `node dist/main.js <arg> ...` (`calsync`) does: serve in a role, or run an operator command and exit. */
export type Command = { kind: 'serve'; role: Role } | { kind: 'operator' };

/** The first word of every operator command (src/cli/operator.ts). */
const OPERATOR_COMMANDS: readonly string[] = ['migrate', 'reencrypt', 'keys', 'resync', 'booking', 'notifications', 'help', '--help', '-h'];

export function parseCommand(arg: string | undefined): Command {
  if (arg !== undefined && OPERATOR_COMMANDS.includes(arg)) return { kind: 'operator' };
  try {
    return { kind: 'serve', role: parseRole(arg) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new UsageError(`unknown command "${arg}"`, HELP.main);
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

function migrateText(applied: string[]): string {
  if (applied.length === 0) return 'The database is up to date: no migration was pending.\n';
  return `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}\n`).join('')}`;
}

function reencryptText(s: ReencryptSummary): string {
  const lines = [
    `Re-sealed under key ${s.keyId}:`,
    `  calendar accounts: ${s.connections.reencrypted} re-sealed, ${s.connections.current} already current`,
    `  connect flows: ${s.oauthFlows.reencrypted} re-sealed`,
    `  bookings' personal data: ${s.bookings.sealed} sealed from clear, ${s.bookings.reencrypted} re-sealed`,
  ];
  for (const f of s.failed) lines.push(`FAILED calendar account ${f.connectionId}: ${f.error}`);
  for (const f of s.bookings.failed) lines.push(`FAILED booking ${f.bookingId}: ${f.error}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs a job and returns the process's exit code; its result goes to `out`, as one JSON document
 * (`json`, the default) or as text for a person (`text`).
 * `migrate` applies pending migrations (every serving process also does at start). `reencrypt`
 * re-seals every stored secret and bookings' personal data under the first key of ENCRYPTION_KEYS
 * (key rotation, see the README); it exits 1 when a row could not be re-sealed, and is safe to run again.
 */
export async function runJob(
  job: JobName,
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
  format: 'json' | 'text' = 'json',
): Promise<number> {
  const { databaseUrl, keys } = jobEnvironment(job, env);
  const pool = createPool(databaseUrl, 2);
  try {
    const applied = await migrate(pool);
    if (job === 'migrate') {
      out(format === 'json' ? `${JSON.stringify({ applied }, null, 2)}\n` : migrateText(applied));
      return 0;
    }
    const summary = await new PgSecretReencryption(pool, new SecretBox(keys)).reencryptAll();
    out(format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : reencryptText(summary));
    return summary.failed.length > 0 || summary.bookings.failed.length > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}
