import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, ENCODING, PayloadKeyUnavailableError } from '../../src/temporal/payload-codec';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('EncryptionCodec', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const plain = defaultPayloadConverter.toPayload({ email: 'ada@example.com', n: 1 });

  it('encrypts with the newest key and decrypts after rotation; old payloads pass through', async () => {
    const [sealed] = await new EncryptionCodec([k1]).encode([plain]);
    expect(new TextDecoder().decode(sealed!.metadata!.encoding)).toBe(ENCODING);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('ada@example.com');
    const rotated = new EncryptionCodec([k2, k1]);
    const [opened] = await rotated.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ email: 'ada@example.com', n: 1 });
    const [resealed] = await rotated.encode([plain]);
    expect(new TextDecoder().decode(resealed!.metadata!['encryption-key-id'])).toBe('k2');
    // Written before the codec existed: returned as it is.
    expect(await rotated.decode([plain])).toEqual([plain]);
  });

  it('refuses a payload under a key it does not have, or one that was tampered with', async () => {
    const [sealed] = await new EncryptionCodec([k1]).encode([plain]);
    await expect(new EncryptionCodec([k2]).decode([sealed!])).rejects.toBeInstanceOf(PayloadKeyUnavailableError);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 0x01;
    await expect(new EncryptionCodec([k1]).decode([{ ...sealed!, data }])).rejects.toThrow();
    // The key id is authenticated too: relabelling the payload does not get it decrypted.
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, 'encryption-key-id': new TextEncoder().encode('k2') } };
    await expect(new EncryptionCodec([k2, k1]).decode([relabelled])).rejects.toThrow();
  });
});
