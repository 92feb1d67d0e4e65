import { z } from 'zod';

// What the operations routes answer: health, readiness, the codec server, this document.

/** `GET /healthz`. */
export const livenessSchema = z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] });

const checks = z.object({
  database: z.enum(['ok', 'unavailable']),
  temporal: z.enum(['ok', 'unavailable']),
  worker: z.enum(['running', 'stopped']).optional().describe("this process's worker, when it runs one"),
});

/** `GET /readyz` 200. */
export const readySchema = z
  .object({ status: z.literal('ready'), checks })
  .meta({ examples: [{ status: 'ready', checks: { database: 'ok', temporal: 'ok', worker: 'running' } }] });

/** `GET /readyz` 503: a dependency is unreachable, the worker stopped, or shutdown has begun. */
export const notReadySchema = z
  .discriminatedUnion('status', [z.object({ status: z.literal('not_ready'), checks }), z.object({ status: z.literal('shutting_down') })])
  .meta({ examples: [{ status: 'not_ready', checks: { database: 'ok', temporal: 'unavailable' } }, { status: 'shutting_down' }] });

const base64 = z.string().describe('base64');

/** `/codec/encode` and `/codec/decode` 200: the payloads, encrypted or decrypted (empty parts left out, as protobuf JSON does). */
export const codecPayloadsAnswerSchema = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
      .optional()
      .describe('absent when there are none'),
  })
  .meta({
    examples: [{ payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJib29raW5nSWQiOiJia18yMDI2XzA0MTIifQ==' }] }],
  });

/** `GET /openapi.json`: this document. */
export const openApiDocumentSchema = z
  .looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }) })
  .meta({ examples: [{ openapi: '3.1.0', info: { title: 'booking-calendar-sync', version: '1.4.0' }, paths: {} }] });
