import type { Pool } from 'pg';
import { parseKeyring } from '../../../src/crypto/keyring';
import { SecretBox } from '../../../src/crypto/secret-box';
import { createRepositories, type Repositories } from '../../../src/db/repositories';
import type { BenchEnvironment } from '../environment';

/** Seals and opens with the service's own keys (its ENCRYPTION_KEYS). */
export function serviceSecretBox(env: BenchEnvironment): SecretBox {
  const keyring = parseKeyring(env.serviceEnv.ENCRYPTION_KEYS ?? '');
  if (!keyring.ok) throw new Error(`the service's ENCRYPTION_KEYS: ${keyring.problems.join('; ')}`);
  return new SecretBox(keyring.keys);
}

/**
 * The service's own repositories on a pool of the bench's, sealing with the service's keys: rows
 * a section stores through them are the rows the service writes and reads, secrets and all.
 */
export function serviceRepositories(env: BenchEnvironment, pool: Pool): Repositories {
  return createRepositories(pool, serviceSecretBox(env));
}
