import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RadicaleServer, RadicaleUser } from '../../tools/support/radicale';

/**
 * Gives Radicale's users these passwords, as a user revoking an app password would: Radicale
 * reads its htpasswd file on every login, so the old password is refused from the next request.
 * The file is replaced in one rename, so a login never reads it half-written.
 */
export function setRadicalePasswords(server: RadicaleServer, users: RadicaleUser[]): void {
  const file = path.join(server.dir, 'users');
  const next = `${file}.next`;
  writeFileSync(next, users.map((u) => `${u.username}:${u.password}\n`).join(''), { mode: 0o600 });
  renameSync(next, file);
}
