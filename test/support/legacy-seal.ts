import { createCipheriv, randomBytes } from 'node:crypto';
import type { KeyringEntry } from '../../src/crypto/keyring';

/**
 * A stored secret in the earlier `v1:` form, as the service sealed them before stored secrets had
 * a derived subkey: AES-256-GCM under the ENCRYPTION_KEYS entry's raw bytes.
 */
export function sealV1(key: KeyringEntry, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1:${key.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}
