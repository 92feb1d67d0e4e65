import { DecryptionError, type SecretBox } from '../crypto/secret-box';

export type SealedColumn = 'account_email' | 'access_token' | 'refresh_token' | 'password';

/** Where a sealed value lives: part of its authenticated data, so it can't be moved. */
export function aad(column: SealedColumn, id: string): string {
  return `calendar_connections.${column}:${id}`;
}

/** A stored secret could not be opened: names the calendar account and the key, never the value. */
export class SecretUnavailableError extends Error {
  readonly code = 'secret_unavailable';
  constructor(
    readonly connectionId: string,
    readonly column: SealedColumn,
    cause: DecryptionError,
  ) {
    super(`calendar connection ${connectionId}: cannot decrypt ${column.replace('_', ' ')} (${cause.message})`);
    this.name = 'SecretUnavailableError';
  }
}

/** Opens a sealed column, turning a wrong or missing key into an error that names the calendar account. */
export function openSealed(box: SecretBox, id: string, column: SealedColumn, sealed: string): string {
  try {
    return box.open(sealed, aad(column, id));
  } catch (err) {
    if (err instanceof DecryptionError) throw new SecretUnavailableError(id, column, err);
    throw err;
  }
}
