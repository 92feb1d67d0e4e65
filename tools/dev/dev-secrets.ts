import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseKeyring } from '../../src/crypto/keyring';

/**
 * Secrets for `npm start` on a fresh clone, so development needs no hand-made .env: each is
 * generated once into its own file (0600, in a 0700 directory) and reused on every later run.
 * Reuse matters: a new encryption key would make stored tokens undecryptable, and a new API key
 * or webhook secret would break clients configured with the old one.
 */

export interface DevSecrets {
  /** ENCRYPTION_KEYS format: `dev-<yyyymmdd>:<64 hex>` */
  encryptionKeys: string;
  /** `dev_` + 32 base64url characters */
  apiKey: string;
  webhookSecret: string;
  /** `dev_` + 32 base64url characters: the codec server's key (CODEC_API_KEYS), for `temporal … --codec-auth` */
  codecKey: string;
  files: { encryptionKeys: string; apiKey: string; webhookSecret: string; codecKey: string };
}

export type DevSecretsErrorCode = 'INVALID_SECRET_FILE';

export class DevSecretsError extends Error {
  constructor(
    readonly code: DevSecretsErrorCode,
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'DevSecretsError';
  }
}

interface SecretSpec {
  file: string;
  generate: () => string;
  /** Returns a problem description, or undefined when the stored value is usable. */
  check: (value: string) => string | undefined;
}

const SPECS = {
  encryptionKeys: {
    file: 'encryption-keys',
    generate: () => `dev-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}:${crypto.randomBytes(32).toString('hex')}`,
    check: (v: string) => {
      const parsed = parseKeyring(v);
      return parsed.ok ? undefined : parsed.problems.join('; ');
    },
  },
  apiKey: {
    file: 'api-key',
    // 24 random bytes are exactly 32 base64url characters.
    generate: () => `dev_${crypto.randomBytes(24).toString('base64url')}`,
    check: (v: string) => (/^\S{24,}$/.test(v) ? undefined : 'must be at least 24 characters without spaces'),
  },
  codecKey: {
    file: 'codec-key',
    generate: () => `dev_${crypto.randomBytes(24).toString('base64url')}`,
    check: (v: string) => (/^\S{24,}$/.test(v) ? undefined : 'must be at least 24 characters without spaces'),
  },
  webhookSecret: {
    file: 'webhook-secret',
    generate: () => crypto.randomBytes(32).toString('base64url'),
    check: (v: string) => (/^\S{24,}$/.test(v) ? undefined : 'must be at least 24 characters without spaces'),
  },
} satisfies Record<keyof DevSecrets['files'], SecretSpec>;

export function ensureDevSecrets(dataDir: string): DevSecrets {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
  const encryptionKeys = ensureSecret(dir, SPECS.encryptionKeys);
  const apiKey = ensureSecret(dir, SPECS.apiKey);
  const webhookSecret = ensureSecret(dir, SPECS.webhookSecret);
  const codecKey = ensureSecret(dir, SPECS.codecKey);
  return {
    encryptionKeys: encryptionKeys.value,
    apiKey: apiKey.value,
    webhookSecret: webhookSecret.value,
    codecKey: codecKey.value,
    files: { encryptionKeys: encryptionKeys.file, apiKey: apiKey.file, webhookSecret: webhookSecret.file, codecKey: codecKey.file },
  };
}

function ensureSecret(dir: string, spec: SecretSpec): { value: string; file: string } {
  const file = path.join(dir, spec.file);
  if (!fs.existsSync(file)) {
    // Write a temp file and hard-link it into place: link() fails if the file appeared
    // meanwhile (two processes starting at once), and nobody ever sees a half-written file.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, `${spec.generate()}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  tighten(file, 0o600);
  const value = fs.readFileSync(file, 'utf8').trim();
  const problem = spec.check(value);
  if (problem !== undefined) {
    throw new DevSecretsError(
      'INVALID_SECRET_FILE',
      `${file} does not hold a usable value (${problem}). Fix it, or delete it to generate a new one ` +
        `(deleting the encryption key makes data encrypted with it unreadable).`,
      file,
    );
  }
  return { value, file };
}

/** Removes group/other permissions if someone widened them; ignored where chmod is meaningless. */
function tighten(target: string, mode: number): void {
  if (process.platform === 'win32') return;
  try {
    if ((fs.statSync(target).mode & 0o777) !== mode) fs.chmodSync(target, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
