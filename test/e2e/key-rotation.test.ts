import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring, type KeyringEntry } from '../../src/crypto/keyring';
import { reencryptAll } from '../../src/crypto/reencrypt';
import { SecretBox } from '../../src/crypto/secret-box';
import { ConnectionStore, SecretUnavailableError } from '../../src/db/connections';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function key(id: string): KeyringEntry {
  const r = parseKeyring(`${id}:${randomBytes(32).toString('hex')}`);
  if (!r.ok) throw new Error(r.problems.join());
  return r.keys[0]!;
}

describe('encryption key rotation', () => {
  it('re-encrypts every secret under the newest key while old values stay readable; a missing key is a clear error naming the connection', async () => {
    const ids = [];
    for (const user of [h.id('u'), h.id('u')]) ids.push((await h.connectGoogle(user)).connectionId);
    const oldKeys = h.config.encryptionKeys;
    const newKey = key('rotated');

    const summary = await reencryptAll(h.pool, new SecretBox([newKey, ...oldKeys]));
    expect(summary.keyId).toBe('rotated');
    expect(summary.failed.map((f) => f.connectionId)).not.toEqual(expect.arrayContaining(ids));
    const { rows } = await h.pool.query<{ id: string; a: string; r: string; e: string }>(
      'SELECT id, access_token_enc AS a, refresh_token_enc AS r, account_email_enc AS e FROM calendar_connections WHERE id = ANY($1::uuid[])',
      [ids],
    );
    for (const row of rows) for (const v of [row.a, row.r, row.e]) expect(SecretBox.keyIdOf(v)).toBe('rotated');

    // After the old key is dropped, everything still opens with the new one alone.
    const onlyNew = new ConnectionStore(h.pool, new SecretBox([newKey]));
    for (const id of ids) expect((await onlyNew.getWithCredentials(id))?.credentials).toMatchObject({ kind: 'bearer', accessToken: expect.any(String) });
    // Running it again changes nothing for these rows.
    const again = await reencryptAll(h.pool, new SecretBox([newKey]));
    expect(again.failed.map((f) => f.connectionId)).not.toEqual(expect.arrayContaining(ids));

    // A deployment without the key gets an error that names the connection and the key, never garbage.
    const stale = new ConnectionStore(h.pool, new SecretBox(oldKeys));
    const err = await stale.getWithCredentials(ids[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect((err as Error).message).toContain(ids[0]);
    expect((err as Error).message).toContain('"rotated"');
  });
});
