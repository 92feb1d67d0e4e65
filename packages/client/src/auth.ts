import type { Middleware } from 'openapi-fetch';

/** `Authorization: Bearer <apiKey>` on every request that does not bring its own. */
export function bearerAuth(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      if (!request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
}
