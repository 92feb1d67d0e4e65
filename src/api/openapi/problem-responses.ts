import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../problem';

// The shared error component: every problem-details answer in the document is one of these
// responses, each a `Problem` body; a route's own description says which codes it gives.

const PROBLEM_MEDIA_TYPE = PROBLEM_CONTENT_TYPE.split(';')[0]!;
export const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';

/** Status → the name of its shared response under `components.responses`. */
export const PROBLEM_RESPONSE_NAMES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'invalid request',
  401: 'missing or wrong credentials',
  403: 'forbidden',
  404: 'not found',
  409: 'conflicts with the current state',
  413: '`payload_too_large`: the body is over the limit',
  415: '`unsupported_media_type`: send the body as UTF-8 application/json',
  429: 'too many requests (`Retry-After`)',
  500: '`internal`: an unexpected error (details only in the log)',
  502: 'a calendar provider or CalDAV server did not answer',
  503: 'a dependency is unavailable (`Retry-After`)',
};

const RETRY_AFTER = {
  'Retry-After': { description: 'seconds after which a retry may succeed', schema: { type: 'integer', minimum: 0 } },
};

/** `components.schemas.Problem` as JSON Schema, from the schema the tests and types share. */
export function problemComponentSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(problemSchema, { io: 'output' }) as Record<string, unknown>;
  return schema;
}

/** `components.responses`: one problem-details response per status. */
export function problemResponses(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(PROBLEM_RESPONSE_NAMES).map(([status, name]) => [
      name,
      {
        description: DESCRIPTIONS[Number(status)],
        ...(status === '429' || status === '503' ? { headers: RETRY_AFTER } : {}),
        content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
      },
    ]),
  );
}

/** A route's error answer: the shared response, with the route's own description of it. */
export function problemResponseRef(status: number, description: string): Record<string, unknown> {
  const name = PROBLEM_RESPONSE_NAMES[status];
  if (!name) throw new Error(`no shared problem response for status ${status}: add it to PROBLEM_RESPONSE_NAMES`);
  return { $ref: `#/components/responses/${name}`, description };
}
