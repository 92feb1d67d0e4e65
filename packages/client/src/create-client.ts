import createFetchClient, { wrapAsPathBasedClient, type Client, type PathBasedClient } from 'openapi-fetch';
import { bearerAuth } from './auth';
import { operationCaller, type CallOperation } from './call';
import { rawRequester, type RawRequest } from './raw-request';
import type { paths } from './schema';

export interface ClientOptions {
  /** The service's base URL (`PUBLIC_BASE_URL`), without `/v1`. */
  baseUrl: string;
  /** One of the service's API_KEYS; leave it out for public routes only. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  /** Each request's deadline; a request over it rejects (`TimeoutError`). */
  timeoutMs?: number;
}

export interface CalsyncClient {
  /** By operationId: `call('confirmBooking', {params: {path: {bookingId}}, body})` → `{status, body, headers}`. */
  call: CallOperation;
  /** openapi-fetch's typed client: `http.POST('/v1/bookings/{bookingId}/confirm', {...})` → `{data, error, response}`. */
  http: Client<paths>;
  /** The same by path: `paths['/v1/bookings/{bookingId}'].GET({...})`. */
  paths: PathBasedClient<paths>;
  /** Untyped, for deliberately malformed requests. */
  raw: RawRequest;
}

export function createClient(opts: ClientOptions): CalsyncClient {
  const base = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs;
  const http = createFetchClient<paths>({
    baseUrl: opts.baseUrl,
    fetch: timeoutMs === undefined ? (request) => base(request) : (request) => base(request, { signal: AbortSignal.timeout(timeoutMs) }),
  });
  if (opts.apiKey !== undefined) http.use(bearerAuth(opts.apiKey));
  return { call: operationCaller(http), http, paths: wrapAsPathBasedClient(http), raw: rawRequester(http) };
}
