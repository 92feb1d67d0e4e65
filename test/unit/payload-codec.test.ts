import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, ENCODING, PayloadKeyUnavailableError, PlainPayloadRefusedError } from '../../src/temporal/payload-codec';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('EncryptionCodec', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const plain = defaultPayloadConverter.toPayload({ email: 'ada@example.com', n: 1 });

  it('encrypts with the newest key and decrypts after rotation', async () => {
    const [sealed] = await new EncryptionCodec([k1]).encode([plain]);
    expect(new TextDecoder().decode(sealed!.metadata!.encoding)).toBe(ENCODING);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('ada@example.com');
    const rotated = new EncryptionCodec([k2, k1]);
    const [opened] = await rotated.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ email: 'ada@example.com', n: 1 });
    const [resealed] = await rotated.encode([plain]);
    expect(new TextDecoder().decode(resealed!.metadata!['encryption-key-id'])).toBe('k2');
  });

  it('refuses a plain payload: anyone who can reach Temporal can write one', async () => {
    const codec = new EncryptionCodec([k1]);
    const refused = codec.decode([plain]);
    await expect(refused).rejects.toBeInstanceOf(PlainPayloadRefusedError);
    await expect(refused).rejects.toThrow('encoding "json/plain"');
    // One plain payload among encrypted ones fails the whole batch: nothing of it is delivered.
    const [sealed] = await codec.encode([plain]);
    await expect(codec.decode([sealed!, plain])).rejects.toBeInstanceOf(PlainPayloadRefusedError);
    // Without an encoding at all, and with `binary/null`, the SDK's own encoding of undefined, which it encrypts too.
    await expect(codec.decode([{ data: new TextEncoder().encode('{}') }])).rejects.toThrow('encoding "(none)"');
    await expect(codec.decode([defaultPayloadConverter.toPayload(undefined)])).rejects.toBeInstanceOf(PlainPayloadRefusedError);
    const [sealedNull] = await codec.encode([defaultPayloadConverter.toPayload(undefined)]);
    expect(defaultPayloadConverter.fromPayload(await codec.decode([sealedNull!]).then((p) => p[0]!))).toBeUndefined();
  });

  it('accepts plain payloads only inside the PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL window', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const codec = new EncryptionCodec([k1], { plainAcceptedUntilMs: Date.parse('2026-03-02T00:00:00Z'), now: () => now });
    expect(await codec.decode([plain])).toEqual([plain]);
    now = Date.parse('2026-03-02T00:00:00Z');
    await expect(codec.decode([plain])).rejects.toBeInstanceOf(PlainPayloadRefusedError);
  });

  it('shows plain payloads as they are to the codec server, and still refuses what it cannot open there', async () => {
    const codec = new EncryptionCodec([k1]);
    const [sealed] = await codec.encode([plain]);
    const shown = await codec.decodeForDisplay([plain, sealed!]);
    expect(shown[0]).toEqual(plain);
    expect(defaultPayloadConverter.fromPayload(shown[1]!)).toEqual({ email: 'ada@example.com', n: 1 });
    await expect(new EncryptionCodec([k2]).decodeForDisplay([sealed!])).rejects.toBeInstanceOf(PayloadKeyUnavailableError);
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
