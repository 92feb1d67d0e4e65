import { loadConfig } from '../config';
import { SecretBox } from '../crypto/secret-box';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { PgSecretReencryption } from '../db/reencrypt';

/**
 * `npm run reencrypt`: re-seals every stored secret under the first key of ENCRYPTION_KEYS.
 * Key rotation without downtime: (1) deploy with `ENCRYPTION_KEYS=new:…,old:…`, (2) run this,
 * (3) deploy with `ENCRYPTION_KEYS=new:…`. Needs DATABASE_URL (stop `npm start` first when using
 * its embedded database, which serves one process).
 */
async function main(): Promise<void> {
  const config = loadConfig({ API_KEYS: 'unused-by-this-tool', WEBHOOK_SECRET: 'unused-by-this-tool', ...process.env });
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const pool = createPool(config.databaseUrl, 2);
  try {
    await migrate(pool);
    const summary = await new PgSecretReencryption(pool, new SecretBox(config.encryptionKeys)).reencryptAll();
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    process.exitCode = summary.failed.length > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
