/** One AES-256 key and the id written into every ciphertext it seals. */
export interface KeyringEntry {
  id: string;
  key: Buffer;
}

export type KeyringParse = { ok: true; keys: KeyringEntry[] } | { ok: false; problems: string[] };

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `ENCRYPTION_KEYS=newid:hex,oldid:hex`. The first key seals, all keys open: a retired key
 * stays listed after the first, never sealing, while anything sealed under it is kept (stored
 * secrets until `reencrypt` re-seals them, workflow histories until Temporal deletes them).
 * Messages name the key id only, never the key material.
 */
export function parseKeyring(spec: string): KeyringParse {
  const problems: string[] = [];
  const keys: KeyringEntry[] = [];
  const seen = new Set<string>();
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { ok: false, problems: ['no keys given'] };
  parts.forEach((part, index) => {
    const colon = part.indexOf(':');
    const id = colon > 0 ? part.slice(0, colon) : '';
    const hex = colon > 0 ? part.slice(colon + 1) : '';
    if (!KEY_ID.test(id)) {
      problems.push(`key #${index + 1} needs an id of 1-32 letters, digits, "_" or "-" before ":"`);
      return;
    }
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      problems.push(`key "${id}" must be 64 hex characters (32 bytes)`);
      return;
    }
    if (seen.has(id)) {
      problems.push(`key id "${id}" appears twice`);
      return;
    }
    seen.add(id);
    keys.push({ id, key: Buffer.from(hex, 'hex') });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, keys };
}
