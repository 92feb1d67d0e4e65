import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 600_000);
afterAll(async () => {
  await h?.close();
});

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** `METHOD /path` of every route Express really serves, nested routers included. */
function servedRoutes(stack: Layer[], out = new Set<string>()): Set<string> {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const method of Object.keys(layer.route.methods)) for (const path of paths) out.add(`${method.toUpperCase()} ${path}`);
    } else if (layer.handle?.stack) {
      servedRoutes(layer.handle.stack, out);
    }
  }
  return out;
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document describing every route Express serves', async () => {
    const res = await h.api<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>>;
    }>('GET', '/openapi.json', undefined, { key: null });
    expect(res.status).toBe(200);
    // An ES module: loaded with import() from this CommonJS test.
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(res.body.openapi).toBe('3.1.0');

    const documented = new Set(
      Object.entries(res.body.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const app = h.service.app as unknown as { router: { stack: Layer[] } };
    const served = servedRoutes(app.router.stack);
    expect(served.size).toBeGreaterThan(25);
    expect([...served].sort()).toEqual([...documented].sort());

    // Bodies come from the validators: the confirm body requires what the validator requires.
    const confirm = res.body.paths['/v1/bookings/{bookingId}/confirm']!['post']!.requestBody!.content['application/json']!.schema;
    expect(confirm['required']).toEqual(expect.arrayContaining(['title', 'start', 'end', 'timeZone', 'participants']));
    expect(confirm['additionalProperties']).toBe(false);
    // Per-booking event templates, with the placeholders a template may name.
    const templates = (confirm['properties'] as Record<string, { description?: string }>)['templates'];
    expect(templates?.description).toContain('{{othersWithRoles}}');
    const patch =
      res.body.paths['/v1/users/{userId}/connections/{connectionId}']!['patch']!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(patch['properties'] as object)).toEqual(expect.arrayContaining(['syncEnabled', 'calendarId', 'reminders']));
    const participant = (confirm['properties'] as Record<string, { items: { properties: Record<string, { type: string }> } }>)[
      'participants'
    ]!.items;
    expect(participant.properties['sync']).toMatchObject({ type: 'boolean' });
  });

  it('names every operation readably and once, groups them by tag, and gives every JSON error the Problem component', async () => {
    type Response = { $ref?: string; description: string; content?: Record<string, { schema?: { $ref?: string } }> };
    type Operation = { operationId: string; tags: string[]; responses: Record<string, Response> };
    const res = await h.api<{
      tags: Array<{ name: string }>;
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { required?: string[] }>; responses: Record<string, Response> };
    }>('GET', '/openapi.json', undefined, { key: null });
    const operations = Object.entries(res.body.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, ...op })),
    );
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z][a-zA-Z]+$/);
      // Not derived from the method and path (`postV1BookingsBookingIdConfirm`).
      expect(id).not.toMatch(/^(get|post|patch|delete|options)V1/);
    }
    const byRoute = Object.fromEntries(operations.map((o) => [o.route, o.operationId]));
    expect(byRoute).toMatchObject({
      'POST /v1/bookings/{bookingId}/confirm': 'confirmBooking',
      'POST /v1/bookings/{bookingId}/reschedule': 'rescheduleBooking',
      'POST /v1/bookings/{bookingId}/cancel': 'cancelBooking',
      'GET /v1/bookings/{bookingId}': 'getBooking',
      'GET /v1/bookings/{bookingId}/history': 'getBookingHistory',
      'GET /v1/users/{userId}/bookings': 'listUserBookings',
      'GET /v1/users/{userId}/connections': 'listConnections',
      'POST /v1/users/{userId}/connections': 'createConnection',
    });

    const tags = res.body.tags.map((t) => t.name);
    expect(tags).toEqual(
      expect.arrayContaining(['Bookings', 'Connections', 'Availability', 'Notifications', 'Feeds', 'Settings', 'Webhooks', 'Operations']),
    );
    for (const op of operations) {
      expect(op.tags).toHaveLength(1);
      expect(tags).toContain(op.tags[0]);
    }

    const problem = '#/components/schemas/Problem';
    expect(res.body.components.schemas['Problem']?.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    for (const [name, shared] of Object.entries(res.body.components.responses)) {
      expect([name, shared.content?.['application/problem+json']?.schema?.$ref]).toEqual([name, problem]);
    }
    // Pages answer errors with pages, the feed with text, readiness with its checks: everything else is a problem.
    const notProblems = new Set<string>();
    for (const op of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        if (response.$ref) {
          expect(response.$ref).toMatch(/^#\/components\/responses\/\w+$/);
          expect(res.body.components.responses[response.$ref.split('/').pop()!]).toBeDefined();
        } else {
          expect(Object.keys(response.content ?? {})).toEqual([expect.not.stringMatching(/problem/)]);
          notProblems.add(op.route);
        }
      }
      // Any route can fail unexpectedly: a 500 problem.
      expect([op.route, op.responses['500']?.$ref]).toEqual([op.route, '#/components/responses/InternalError']);
    }
    expect([...notProblems].every((r) => /^(GET|POST) \/(settings|feeds|v1\/connect|v1\/oauth|readyz)/.test(r))).toBe(true);
  });

  it('is rendered as a page at /docs', async () => {
    const res = await fetch(`${h.service.url}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/v1/bookings/{bookingId}/confirm');
    expect(html).toContain('/v1/availability/check');
    expect(html).not.toContain('<script');
  });
});
