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

  it('is rendered as a page at /docs', async () => {
    const res = await fetch(`${h.service.url}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/v1/bookings/{bookingId}/confirm');
    expect(html).toContain('/v1/availability/check');
    expect(html).not.toContain('<script');
  });
});
