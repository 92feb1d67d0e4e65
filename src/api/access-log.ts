import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logging';

/** A caller's request id is kept when it is a short token of safe characters; anything else is replaced. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Headers whose values are credentials or signatures. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-signature',
  'x-goog-channel-token',
  'x-api-key',
]);
/** Query parameters that carry tokens, OAuth codes and state, or an address (settings links, OAuth callbacks, Graph validation). */
const SECRET_QUERY =
  /^(token|code|state|validationtoken|access_token|refresh_token|id_token|client_secret|key|api_key|apikey|login_hint|email)$/i;
const REDACTED = '[redacted]';
/** Probes and scrapes that succeed are not worth a log line each. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The request's id: the caller's `X-Request-Id` when sane, else a new UUID; echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Paths whose last segment is a credential: calendar feed tokens. */
const SECRET_PATH = /^\/feeds\/[^/?]*/i;

/** The path with a credential in it (a feed token) replaced. */
export function redactPath(path: string): string {
  return path.replace(SECRET_PATH, `/feeds/${REDACTED}`);
}

/** The URL with credentials in its path and the values of secret query parameters replaced. */
export function redactUrl(rawUrl: string): string {
  const url = redactPath(rawUrl);
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (SECRET_QUERY.test(name)) params.set(name, REDACTED);
  return `${url.slice(0, q)}?${params.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED)}`;
}

function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, SECRET_HEADERS.has(name) ? REDACTED : value]));
}

const pathOf = (url: string | undefined) => (url ?? '').split('?')[0] ?? '';

/**
 * Gives every request an id (`X-Request-Id` on every response, `req.id` for other log lines) and
 * writes one structured access-log line per response: method, URL and headers with credentials,
 * tokens and codes redacted, status and duration.
 */
export function accessLog(logger: Logger): RequestHandler {
  const middleware = pinoHttp({
    logger,
    genReqId: requestId,
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return QUIET_PATHS.has(pathOf(req.url)) ? 'silent' : 'info';
    },
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        headers: redactHeaders(req.headers),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req, res, next) => middleware(req, res, next);
}
