import { z } from 'zod';

/**
 * Opaque page cursors: the position a page ended at, as base64url JSON tagged with what it pages
 * (a cursor of one list is refused by another). Opaque to callers, so the position may change.
 */
export function encodeCursor(kind: string, position: object): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position }), 'utf8').toString('base64url');
}

/** The position a cursor of `kind` holds, or undefined when it is not one this service issued for that list. */
export function decodeCursor<S extends z.ZodType>(kind: string, cursor: string, schema: S): z.infer<S> | undefined {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const envelope = z.object({ k: z.literal(kind), p: z.unknown() }).safeParse(parsed);
  if (!envelope.success) return undefined;
  const position = schema.safeParse(envelope.data.p);
  return position.success ? position.data : undefined;
}

/** Microseconds since the epoch as PostgreSQL gives them: a decimal integer. */
export const micros = z.string().regex(/^-?\d{1,19}$/);
