import { z } from 'zod';
import { API_TAGS, ROUTES, type ResponseBody, type RouteAuth, type RouteDoc } from './catalogue';
import { problemComponentSchema, problemResponseRef, problemResponses } from './problem-responses';
import { notificationWebhooks } from './webhooks';
import { outage } from './common-responses';

// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests
// (JSON Schema 2020-12 is OpenAPI 3.1's schema language). Refinements that JSON Schema cannot
// say (start before end, at most 100 days) are in the route summaries and the README.

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  // The input side: what a caller sends (before defaults and coercions). zod drops the examples
  // of a schema that transforms (they could be outputs); request examples are written as inputs.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const examples = z.globalRegistry.get(zodSchema)?.examples;
      const target = jsonSchema as JsonSchema;
      if (examples !== undefined && target['examples'] === undefined) target['examples'] = examples;
    },
  }) as JsonSchema;
  return rest;
}

/** The output side: what this service sends (an answer's body, a notification). */
export function outputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const TEXT = { schema: { type: 'string' } };

/** One status's response object, from its body when the route gives one. */
function response(description: string, body: ResponseBody | undefined): Record<string, unknown> {
  if (!body || 'empty' in body) return { description };
  if ('json' in body) {
    const media = { schema: outputJsonSchema(body.json), ...(body.example !== undefined ? { example: body.example } : {}) };
    return { description, content: { 'application/json': media } };
  }
  if ('redirect' in body) {
    return {
      description,
      headers: { Location: { description: `to ${body.redirect}`, required: true, schema: { type: 'string', format: 'uri-reference' } } },
    };
  }
  const headers = Object.entries(body.headers ?? {}).map(([name, what]) => [name, { description: what, schema: { type: 'string' } }]);
  return { description, ...(headers.length ? { headers: Object.fromEntries(headers) } : {}), content: { [body.text]: TEXT } };
}

const SECURITY: Record<RouteAuth, Array<Record<string, string[]>>> = {
  apiKey: [{ apiKey: [] }],
  // Either scheme: X-Signature, or Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).
  webhookSignature: [{ webhookSignature: [] }, { standardWebhooks: [] }],
  providerSecret: [],
  signedLink: [],
  settingsSession: [],
  none: [],
};

/**
 * The route's answers: its own successes, its errors as the shared problem responses (or as its
 * pages or text, `errorMedia`), and the problems any such route can give though it does not list them.
 */
function responses(route: RouteDoc): Record<string, unknown> {
  const listed: Record<number, string> = { ...route.responses };
  if (route.body) {
    listed[413] ??= DEFAULT_ERRORS[413]!;
    listed[415] ??= DEFAULT_ERRORS[415]!;
  }
  // Routes behind a key or signature reach the database or Temporal: the error handler's outage answer.
  if (REACHES_STORES.has(route.auth) && !route.errorMedia) listed[503] ??= outage[503];
  listed[500] ??= DEFAULT_ERRORS[500]!;
  return Object.fromEntries(
    Object.entries(listed).map(([key, description]) => {
      const status = Number(key);
      const body = route.bodies[status];
      if (status < 400 || body) return [key, response(description, body)];
      if (route.errorMedia && status !== 500) return [key, { description, content: { [route.errorMedia]: TEXT } }];
      return [key, problemResponseRef(status, description)];
    }),
  );
}

const REACHES_STORES = new Set<RouteAuth>(['apiKey', 'webhookSignature', 'providerSecret']);

const DEFAULT_ERRORS: Record<number, string> = {
  413: '`payload_too_large`',
  415: '`unsupported_media_type`',
  500: '`internal`: an unexpected error',
};

function operation(route: RouteDoc): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = route.query ? jsonSchema(route.query) : undefined;
  const queryParams = Object.entries((query?.properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: ((query?.required ?? []) as string[]).includes(name),
    schema,
  }));
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: route.operationId,
    security: SECURITY[route.auth],
    ...(pathParams.length + queryParams.length > 0 ? { parameters: [...pathParams, ...queryParams] } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
    responses: responses(route),
  };
}

export function openApiDocument(opts: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'booking-calendar-sync',
      version: opts.version,
      description: "Keeps users' external calendars in step with a booking system's bookings.",
    },
    servers: [{ url: opts.serverUrl }],
    tags: Object.entries(API_TAGS).map(([name, description]) => ({ name, description })),
    components: {
      schemas: { Problem: problemComponentSchema() },
      responses: problemResponses(),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'one of API_KEYS' },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Signature',
          description: 't=<unix>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, t + "." + raw body)>',
        },
        standardWebhooks: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description:
            'Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256(key of a WEBHOOK_SECRETS entry, webhook-id + "." + webhook-timestamp + "." + raw body)>` with `webhook-id` (the body\'s `id`) and `webhook-timestamp` (unix seconds, within 5 minutes)',
        },
      },
    },
    paths,
    webhooks: notificationWebhooks(),
  };
}
