import type { Request, Response } from 'express';

// Small HTTP helpers every emulator needs: typed access to query strings and bodies
// (Express types them as `any`), HTML answers, OAuth redirects and client credentials.

/** The query string as URLSearchParams: repeated parameters stay repeated and typed. */
export function searchParams(req: Request): URLSearchParams {
  const index = req.originalUrl.indexOf('?');
  return new URLSearchParams(index === -1 ? '' : req.originalUrl.slice(index + 1));
}

/** `http://host:port` as the client addressed us, for links inside resources. */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** A non-empty string field of a parsed form or JSON body. */
export function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A route parameter as a string (Express 5 types wildcard params as arrays). */
export function routeParam(req: Request, name: string): string | undefined {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : undefined;
}

export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** True for the error body-parser raises on malformed JSON. */
export function isBodyParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.parse.failed';
}

/** An HTML page that cannot be framed and runs no script (consent pages echo query parameters). */
export function sendHtml(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    })
    .send(html);
}

/** 302 to the client's redirect URI with the given query parameters added (undefined ones skipped). */
export function redirectBack(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) target.searchParams.set(name, value);
  }
  res.redirect(302, target.toString());
}

export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

/**
 * Client credentials from HTTP Basic (form-encoded parts, RFC 6749 §2.3.1) or the body.
 * `malformed` builds the error thrown when the Basic header cannot be decoded.
 */
export function clientCredentials(req: Request, malformed: () => Error): ClientCredentials {
  const header = req.get('authorization');
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (match?.[1]) {
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        const formDecode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '));
        return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
      } catch {
        throw malformed();
      }
    }
  }
  return { clientId: formField(req.body, 'client_id'), clientSecret: formField(req.body, 'client_secret') };
}
