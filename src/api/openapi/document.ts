import { z } from 'zod';
import { API_TAGS, ROUTES, type RouteAuth, type RouteDoc } from './catalogue';
import { problemComponentSchema, problemResponseRef, problemResponses } from './problem-responses';

// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests
// (JSON Schema 2020-12 is OpenAPI 3.1's schema language). Refinements that JSON Schema cannot
// say (start before end, at most 100 days) are in the route summaries and the README.

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  // The input side: what a caller sends (before defaults and coercions).
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
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
  listed[500] ??= DEFAULT_ERRORS[500]!;
  return Object.fromEntries(
    Object.entries(listed).map(([key, description]) => {
      const status = Number(key);
      if (status < 400) return [key, { description }];
      if (route.errorMedia && status !== 500) return [key, { description, content: { [route.errorMedia]: {} } }];
      return [key, problemResponseRef(status, description)];
    }),
  );
}

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
  };
}
