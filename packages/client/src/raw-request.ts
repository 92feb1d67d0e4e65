import type { Client } from 'openapi-fetch';
import { resultOf, type ApiResult, type LooseRequest } from './result';
import type { paths } from './schema';

export interface RawRequestInit {
  /** Sent as it is (with `content-type: application/json` unless `headers` say otherwise). */
  body?: string;
  /** `authorization` here replaces the client's API key for this request. */
  headers?: Record<string, string>;
}

/** Any method and path, untyped, with a body as bytes: for requests the document would not allow. */
export type RawRequest = (method: string, path: string, init?: RawRequestInit) => Promise<ApiResult>;

export function rawRequester(http: Client<paths>): RawRequest {
  const request = http.request as unknown as LooseRequest;
  return async (method, path, init = {}) =>
    resultOf(
      await request(method, path, {
        ...(init.body === undefined ? {} : { body: init.body }),
        bodySerializer: (body: string) => body,
        headers: init.headers,
        parseAs: 'text',
      }),
    );
}
