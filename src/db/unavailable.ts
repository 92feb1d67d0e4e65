/** Socket errors that mean the database server could not be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/** SQLSTATEs of a server that is there but cannot serve: connection exceptions (class 08), shutting down, starting up, full. */
const UNAVAILABLE_STATES = /^(08...|57P01|57P02|57P03|53300)$/;
/** What node-postgres says when it loses or cannot get a connection (these errors carry no code). */
const POOL_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether `err` (or an error it wraps) says the database is unreachable, rather than that a
 * query failed: the API answers 503 `database_unavailable` for these.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
    if (POOL_MESSAGES.test(e.message)) return true;
    // Node reports a refused connection to every address of a host as one AggregateError.
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
