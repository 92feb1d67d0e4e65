import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeyring } from '../../src/crypto/keyring';
import { DevSecretsError, ensureDevSecrets } from '../../tools/dev/dev-secrets';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('ensureDevSecrets', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-secrets-'));
    dirs.push(d);
    return path.join(d, 'data');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('generates each secret once, in its own 0600 file inside a 0700 directory', () => {
    const dir = tempDir();
    const first = ensureDevSecrets(dir);

    expect(first.encryptionKeys).toMatch(/^dev-\d{8}:[0-9a-f]{64}$/);
    expect(parseKeyring(first.encryptionKeys).ok).toBe(true);
    expect(first.apiKey).toMatch(/^dev_[A-Za-z0-9_-]{32}$/);
    expect(first.webhookSecret.length).toBeGreaterThanOrEqual(32);
    // A key of its own for the codec server: the API key does not open it.
    expect(first.codecKey).toMatch(/^dev_[A-Za-z0-9_-]{32}$/);
    expect(first.codecKey).not.toBe(first.apiKey);

    expect(mode(dir)).toBe(0o700);
    const files = Object.values(first.files);
    expect(new Set(files).size).toBe(4);
    for (const file of files) {
      expect(path.dirname(file)).toBe(dir);
      expect(mode(file)).toBe(0o600);
    }
    expect(fs.readFileSync(first.files.apiKey, 'utf8').trim()).toBe(first.apiKey);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = ensureDevSecrets(dir);
    expect(second).toEqual(first);
  });

  it('tightens permissions that were widened', () => {
    const dir = tempDir();
    const { files } = ensureDevSecrets(dir);
    fs.chmodSync(files.webhookSecret, 0o644);
    fs.chmodSync(dir, 0o755);
    ensureDevSecrets(dir);
    expect(mode(files.webhookSecret)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
  });

  it('refuses a damaged file instead of silently replacing the key', () => {
    const dir = tempDir();
    const { files } = ensureDevSecrets(dir);
    fs.writeFileSync(files.encryptionKeys, 'not-a-key\n');
    let caught: unknown;
    try {
      ensureDevSecrets(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DevSecretsError);
    expect(caught).toMatchObject({ code: 'INVALID_SECRET_FILE', file: files.encryptionKeys });
  });
});
