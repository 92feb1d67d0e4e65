import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../../src/crypto/keyring';
import { DecryptionError, SecretBox } from '../../src/crypto/secret-box';

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
});
