import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../../src/crypto/keyring';
import { Signer } from '../../src/crypto/signer';

const keyring = () => {
  const r = parseKeyring(`k1:${'33'.repeat(32)}`);
  if (!r.ok) throw new Error(r.problems.join());
  return r.keys;
};

describe('Signer', () => {
  const signer = new Signer(keyring(), 'test');
  const token = signer.sign({ userId: 'u-1' });
  const [body, keyId, mac] = token.split('.') as [string, string, string];

  it('verifies its own tokens and refuses another purpose', () => {
    expect(signer.verify(token)).toEqual({ userId: 'u-1' });
    expect(new Signer(keyring(), 'other').verify(token)).toBeUndefined();
  });

  it('accepts only the canonical spelling of the MAC', () => {
    // The last character of a 32-byte MAC carries 4 data bits and 2 unused ones; flipping an unused bit
    // decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.at(-1)!);
    const sibling = `${mac.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(sibling, 'base64url').equals(Buffer.from(mac, 'base64url'))).toBe(true);
    expect(signer.verify(`${body}.${keyId}.${sibling}`)).toBeUndefined();
    // Stray characters the decoder skips, and padding.
    expect(signer.verify(`${body}.${keyId}.${mac.slice(0, 10)}!${mac.slice(10)}`)).toBeUndefined();
    expect(signer.verify(`${body}.${keyId}.${mac}=`)).toBeUndefined();
    expect(signer.verify(`${body}.${keyId}.${mac.slice(0, 10)} ${mac.slice(10)}`)).toBeUndefined();
  });
});
