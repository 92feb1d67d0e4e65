import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { requestSignal } from '../request-signal';

/** Per-request timeout: a hung call fails and Temporal retries it. */
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * Puts the user's token on every request. The SDK's own auth middleware only does that for
 * https Graph hosts (not for the sandbox on http://127.0.0.1), and its retry middleware would
 * repeat POSTs: both are replaced — retries belong to Temporal.
 */
class BearerToken implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly accessToken: string,
    private readonly preferTimeZone: string | undefined,
    private readonly cancel: AbortSignal | undefined,
  ) {}

  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    const headers = new Headers(options.headers);
    headers.set('Authorization', `Bearer ${this.accessToken}`);
    // Immutable ids survive moves between folders; times come back in the booking's zone.
    // A request's own preferences (e.g. odata.maxpagesize) are kept.
    const prefer = ['IdType="ImmutableId"', ...(headers.get('Prefer') ? [headers.get('Prefer')!] : [])];
    if (this.preferTimeZone) prefer.push(`outlook.timezone="${this.preferTimeZone}"`);
    headers.set('Prefer', prefer.join(', '));
    options.headers = Object.fromEntries(headers.entries());
    options.signal ??= requestSignal(REQUEST_TIMEOUT_MS, this.cancel);
    await this.next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Splits `https://graph.microsoft.com/v1.0` into the SDK's base URL and version. */
function splitGraphUrl(graphUrl: string): { baseUrl: string; version: string } {
  const url = new URL(graphUrl);
  const parts = url.pathname.replace(/\/+$/, '').split('/');
  const version = parts.pop() || 'v1.0';
  url.pathname = `${parts.join('/')}/`;
  return { baseUrl: url.toString(), version };
}

/** A Graph client acting with `accessToken`; `cancel` (the caller's cancellation) ends its requests. */
export function graphClient(graphUrl: string, accessToken: string, preferTimeZone?: string, cancel?: AbortSignal): Client {
  const { baseUrl, version } = splitGraphUrl(graphUrl);
  const auth = new BearerToken(accessToken, preferTimeZone, cancel);
  auth.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ baseUrl, defaultVersion: version, middleware: auth });
}
