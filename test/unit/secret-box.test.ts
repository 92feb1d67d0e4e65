import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../../src/crypto/keyring';
import { DecryptionError, SecretBox } from '../../src/crypto/secret-box';
import { sealV1 } from '../support/legacy-seal';

const keys = (spec: string) => {
  const r = parseKeyring(spec);
  if (!r.ok) throw new Error(r.problems.join());
  return r.keys;
};
const A = `a1:${'11'.repeat(32)}`;
const B = `b2:${'22'.repeat(32)}`;

describe('SecretBox', () => {
  it('round-trips with a fresh IV each time and names its key', () => {
    const box = new SecretBox(keys(A));
    const one = box.seal('refresh-token-xyz', 'row:1');
    const two = box.seal('refresh-token-xyz', 'row:1');
    expect(one).not.toBe(two);
    expect(one).not.toContain('refresh-token-xyz');
    expect(SecretBox.keyIdOf(one)).toBe('a1');
    expect(box.open(one, 'row:1')).toBe('refresh-token-xyz');
  });

  it('opens values sealed under an older key after rotation; seals with the newest', () => {
    const old = new SecretBox(keys(A)).seal('s3cret', 'x');
    const rotated = new SecretBox(keys(`${B},${A}`));
    expect(rotated.open(old, 'x')).toBe('s3cret');
    expect(SecretBox.keyIdOf(rotated.seal('s', 'x'))).toBe('b2');
  });

  it('fails clearly on a missing key, a moved value or tampering', () => {
    const sealed = new SecretBox(keys(A)).seal('s3cret', 'row:1');
    expect(() => new SecretBox(keys(B)).open(sealed, 'row:1')).toThrow(expect.objectContaining({ code: 'unknown_key' }));
    const box = new SecretBox(keys(A));
    expect(() => box.open(sealed, 'row:2')).toThrow(DecryptionError);
    // Flip one bit of the ciphertext itself (editing base64 text can land in ignored padding bits).
    const [version, keyId, payload] = sealed.split(':');
    const bytes = Buffer.from(payload!, 'base64url');
    bytes[14]! ^= 0x01;
    const tampered = `${version}:${keyId}:${bytes.toString('base64url')}`;
    expect(() => box.open(tampered, 'row:1')).toThrow(expect.objectContaining({ code: 'authentication_failed' }));
    expect(() => box.open('plaintext', 'row:1')).toThrow(expect.objectContaining({ code: 'malformed' }));
  });

  it('seals v2 values under a derived subkey, never the raw key; still opens v1 values', () => {
    const [entry] = keys(A);
    const box = new SecretBox([entry!]);
    const sealed = box.seal('refresh-token', 'row:1');
    expect(sealed.startsWith('v2:a1:')).toBe(true);
    expect(box.currentPrefix).toBe('v2:a1:');
    // The raw ENCRYPTION_KEYS bytes (also the HKDF input of the signer, channel secrets and codec) do not open it.
    const packed = Buffer.from(sealed.split(':')[2]!, 'base64url');
    const raw = createDecipheriv('aes-256-gcm', entry!.key, packed.subarray(0, 12));
    raw.setAAD(Buffer.from('row:1'));
    raw.setAuthTag(packed.subarray(packed.length - 16));
    expect(() => Buffer.concat([raw.update(packed.subarray(12, packed.length - 16)), raw.final()])).toThrow();
    // A value stored before the subkey existed opens, bound to its place as before.
    const legacy = sealV1(entry!, 'old-token', 'row:1');
    expect(box.open(legacy, 'row:1')).toBe('old-token');
    expect(() => box.open(legacy, 'row:2')).toThrow(expect.objectContaining({ code: 'authentication_failed' }));
    // A v1 spelling of a v2 value (or the reverse) does not open: the version picks the key.
    expect(() => box.open(sealed.replace(/^v2:/, 'v1:'), 'row:1')).toThrow(expect.objectContaining({ code: 'authentication_failed' }));
    expect(() => box.open(legacy.replace(/^v1:/, 'v2:'), 'row:1')).toThrow(expect.objectContaining({ code: 'authentication_failed' }));
    expect(() => box.open(sealed.replace(/^v2:/, 'v3:'), 'row:1')).toThrow(expect.objectContaining({ code: 'malformed' }));
  });
});
