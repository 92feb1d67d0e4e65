import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/api/openapi/document';
import { ROUTES } from '../../src/api/openapi/catalogue';
import type { NotificationType } from '../../src/domain/notifications';

type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  example?: unknown;
}
interface Response {
  $ref?: string;
  description: string;
  headers?: Record<string, Json>;
  content?: Record<string, Media>;
}
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; schema: Json }>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: Operation }>;
}

const doc = openApiDocument({ version: 'test', serverUrl: 'http://localhost:3000' }) as unknown as Document;
const operations = [
  ...Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method} ${path}`, op }))),
  ...Object.entries(doc.webhooks).map(([type, item]) => ({ route: `webhook ${type}`, op: item.post })),
];

/** Answers documented without a body that are neither 204, 304 nor redirects: each one on purpose. */
const EMPTY_ON_PURPOSE = new Set([
  'receiveGoogleNotification 200',
  'receiveMicrosoftNotification 202',
  'receiveMicrosoftLifecycleNotification 202',
]);

const INSTANT_NAME = /^(start|end|from|to|at)$|At$|Start$|End$/;

/** Whether a schema (or, for a nullable or optional one, each non-null branch) says `format: date-time`. */
function isInstant(schema: Json): boolean {
  const branches = (schema['anyOf'] ?? schema['oneOf']) as Json[] | undefined;
  if (branches) return branches.filter((b) => b['type'] !== 'null').every(isInstant);
  return schema['format'] === 'date-time';
}

/** Every property, anywhere in a schema, as [name, schema, where]. */
function properties(schema: unknown, where: string, out: Array<[string, Json, string]> = []): Array<[string, Json, string]> {
  if (Array.isArray(schema)) schema.forEach((s, i) => properties(s, `${where}[${i}]`, out));
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema as Json)) {
      if (key === 'examples' || key === 'example') continue;
      if (key === 'properties' && value && typeof value === 'object') {
        for (const [name, sub] of Object.entries(value as Json)) out.push([name, sub as Json, `${where}.${name}`]);
      }
      properties(value, `${where}.${key}`, out);
    }
  }
  return out;
}

/** Every JSON body the document describes: request bodies, answers, notifications. */
function jsonBodies(): Array<{ where: string; media: Media; kind: 'request' | 'response' }> {
  const out: Array<{ where: string; media: Media; kind: 'request' | 'response' }> = [];
  for (const { route, op } of operations) {
    const body = op.requestBody?.content['application/json'];
    if (body) out.push({ where: `${route} request`, media: body, kind: 'request' });
    for (const [status, response] of Object.entries(op.responses)) {
      const media = response.content?.['application/json'];
      if (media && !response.$ref) out.push({ where: `${route} ${status}`, media, kind: 'response' });
    }
  }
  return out;
}

describe('the OpenAPI document as the contract', () => {
  it('gives every success and redirect of every operation its body, a redirect its Location', () => {
    const missing: string[] = [];
    for (const { route, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const code = Number(status);
        if (!(code >= 200 && code < 400)) continue;
        const withSchema = Object.values(response.content ?? {}).some((m) => m.schema !== undefined);
        const redirect = code >= 300 && code !== 304 && response.headers?.['Location'] !== undefined;
        if (withSchema || redirect || code === 204 || code === 304 || EMPTY_ON_PURPOSE.has(`${op.operationId} ${status}`)) continue;
        missing.push(`${route} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    // Every route says what each of its 2xx/3xx answers carries.
    for (const route of ROUTES) {
      const successes = Object.keys(route.responses).filter((s) => Number(s) < 400);
      expect([route.operationId, Object.keys(route.bodies).filter((s) => Number(s) < 400)]).toEqual([route.operationId, successes]);
    }
  });

  it('says format: date-time of every property named like an instant', () => {
    const found = [
      ...operations.flatMap(({ route, op }) => [
        ...properties(op.requestBody, `${route} request`),
        ...properties(op.responses, `${route} responses`),
        ...(op.parameters ?? []).map((p): [string, Json, string] => [p.name, p.schema, `${route} ${p.in} ${p.name}`]),
      ]),
    ].filter(([name]) => INSTANT_NAME.test(name));
    expect(found.length).toBeGreaterThan(40);
    expect(found.filter(([, schema]) => !isInstant(schema)).map(([, , where]) => where)).toEqual([]);
  });

  it('documents exactly the notification types as webhooks, each with its type as a const', () => {
    const types: Record<NotificationType, true> = {
      'connection.connected': true,
      'connection.needs_reauth': true,
      'connection.bulk_sync_completed': true,
      'connection.error': true,
      'booking.sync_failed': true,
      'booking.conflict_detected': true,
      'booking.removed_externally': true,
      'booking.moved_externally': true,
    };
    expect(Object.keys(doc.webhooks).sort()).toEqual(Object.keys(types).sort());
    for (const [type, { post }] of Object.entries(doc.webhooks)) {
      const schema = post.requestBody!.content['application/json']!.schema!;
      const props = schema['properties'] as Record<string, Json>;
      expect([type, props['type']]).toEqual([type, { type: 'string', const: type }]);
      expect(schema['required']).toEqual(['id', 'type', 'occurredAt', 'data']);
      const headers = (post.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
      expect(headers).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'X-Signature']));
    }
  });

  it('gives every JSON request body and answer an example, and each example fits its schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const bodies = jsonBodies();
    expect(bodies.filter((b) => b.kind === 'response').length).toBeGreaterThan(25);
    const withoutExample: string[] = [];
    const wrong: string[] = [];
    for (const { where, media } of bodies) {
      const schema = media.schema ?? {};
      const examples = [...((schema['examples'] as unknown[] | undefined) ?? []), ...(media.example !== undefined ? [media.example] : [])];
      if (examples.length === 0) withoutExample.push(where);
      const validate = ajv.compile(schema);
      for (const example of examples) if (!validate(example)) wrong.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(withoutExample).toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('documents each incoming booking webhook event type with its own example', () => {
    const schema = doc.paths['/v1/webhooks/bookings']!['post']!.requestBody!.content['application/json']!.schema!;
    const members = (schema['oneOf'] ?? schema['anyOf']) as Json[];
    const types = members.map((m) => ((m['properties'] as Record<string, Json>)['type'] as Json)['const']);
    expect(types).toEqual(['booking.confirmed', 'booking.rescheduled', 'booking.cancelled']);
    for (const member of members) expect((member['examples'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('rejects an answer that breaks its schema (the examples check can fail)', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const media = doc.paths['/v1/users/{userId}/feed-links']!['post']!.responses['201']!.content!['application/json']!;
    const validate = ajv.compile(media.schema!);
    expect(
      validate({
        url: 'https://x.example/feeds/a.ics',
        webcalUrl: 'webcal://x.example/feeds/a.ics',
        createdAt: '2026-04-01T09:00:00.000Z',
      }),
    ).toBe(true);
    expect(validate({ url: 'https://x.example/feeds/a.ics', webcalUrl: 'webcal://x.example/feeds/a.ics', createdAt: 'yesterday' })).toBe(
      false,
    );
    expect(
      validate({
        url: 'https://x.example/feeds/a.ics',
        webcalUrl: 'webcal://x.example/feeds/a.ics',
        createdAt: '2026-04-01T09:00:00.000Z',
        token: 'x',
      }),
    ).toBe(false);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(doc as unknown as Json);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
