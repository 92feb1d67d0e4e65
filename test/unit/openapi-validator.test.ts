import { describe, expect, it } from 'vitest';
import { createOpenApiValidator, type ObservedResponse } from '../support/openapi-validator';

const PROBLEM = 'application/problem+json; charset=utf-8';
const problem = {
  type: 'http://localhost/problems/invalid_request',
  title: 'Invalid request',
  status: 400,
  detail: 'start: required',
  code: 'invalid_request',
  errors: [{ path: 'body.start', message: 'required' }],
};

function message(result: ReturnType<ReturnType<typeof createOpenApiValidator>['validate']>): string {
  if (result.ok) throw new Error('expected a failure');
  return result.message;
}

describe('the OpenAPI response validator on the served document', () => {
  const validator = createOpenApiValidator();
  const confirm = (over: Partial<ObservedResponse>): ObservedResponse => ({
    method: 'POST',
    path: '/v1/bookings/bk-1/confirm?trace=1',
    status: 400,
    contentType: PROBLEM,
    body: problem,
    ...over,
  });

  it('passes a documented problem, a documented success, and an error text where the route documents text', () => {
    expect(validator.validate(confirm({}))).toEqual({ ok: true });
    expect(
      validator.validate(confirm({ status: 202, contentType: 'application/json', body: { bookingId: 'bk-1', accepted: 'confirm' } })),
    ).toEqual({ ok: true });
    expect(validator.validate({ method: 'GET', path: '/feeds/abc.ics', status: 404, contentType: 'text/plain', body: 'gone' })).toEqual({
      ok: true,
    });
  });

  it('fails a problem body that is not a Problem, naming the field', () => {
    const { code: _code, ...withoutCode } = problem;
    const text = message(validator.validate(confirm({ body: withoutCode })));
    expect(text).toContain('POST /v1/bookings/bk-1/confirm → 400');
    expect(text).toContain('does not match the documented schema');
    expect(text).toContain("must have required property 'code'");
  });

  it('fails a success body that does not match its schema', () => {
    const text = message(validator.validate(confirm({ status: 202, contentType: 'application/json', body: { anything: true } })));
    expect(text).toContain('does not match the documented schema');
  });

  it('fails a status the operation does not list', () => {
    const text = message(validator.validate(confirm({ status: 418 })));
    expect(text).toContain('status 418 is not documented for POST /v1/bookings/{bookingId}/confirm');
  });

  it('fails a media type other than the documented one', () => {
    const text = message(validator.validate(confirm({ contentType: 'text/html; charset=utf-8', body: '<p>no</p>' })));
    expect(text).toContain('media type text/html is not documented; expected application/problem+json');
  });

  it('fails an undocumented route or method; a route that does not exist may only answer the 404 problem', () => {
    expect(message(validator.validate({ ...confirm({}), method: 'GET' }))).toContain(
      'GET /v1/bookings/bk-1/confirm is not in the document',
    );
    expect(message(validator.validate({ ...confirm({}), path: '/v2/nothing', status: 200, contentType: 'application/json' }))).toContain(
      'is not in the document',
    );
    const notFound = { ...problem, status: 404, code: 'not_found', title: 'Not found', errors: undefined };
    expect(validator.validate({ method: 'GET', path: '/v2/nothing', status: 404, contentType: PROBLEM, body: notFound })).toEqual({
      ok: true,
    });
    expect(
      message(validator.validate({ method: 'GET', path: '/v2/nothing', status: 404, contentType: 'text/html', body: 'Cannot GET' })),
    ).toContain('media type text/html is not documented');
  });
});

describe('the OpenAPI response validator on a document with success schemas', () => {
  // How the document reads once successes have schemas: `$ref`s into components, date-time formats.
  const validator = createOpenApiValidator({
    openapi: '3.1.0',
    components: {
      schemas: {
        Booking: {
          type: 'object',
          properties: { id: { type: 'string' }, start: { type: 'string', format: 'date-time' } },
          required: ['id', 'start'],
          additionalProperties: false,
        },
      },
    },
    paths: {
      '/v1/bookings/search': { get: { responses: { 200: { description: 'the literal route' } } } },
      '/v1/bookings/{bookingId}': {
        get: {
          responses: {
            200: { description: 'the booking', content: { 'application/json': { schema: { $ref: '#/components/schemas/Booking' } } } },
          },
        },
      },
    },
  });
  const booking = (body: unknown): ObservedResponse => ({
    method: 'GET',
    path: '/v1/bookings/bk-1',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body,
  });

  it('passes a matching body and fails a wrong one with the path of the error', () => {
    expect(validator.validate(booking({ id: 'bk-1', start: '2031-01-01T10:00:00Z' }))).toEqual({ ok: true });
    const text = message(validator.validate(booking({ id: 'bk-1', start: 'tomorrow' })));
    expect(text).toContain('/start must match format "date-time"');
    expect(text).toContain('body: {"id":"bk-1","start":"tomorrow"}');
  });

  it('prefers a literal path over a template', () => {
    expect(validator.validate({ method: 'GET', path: '/v1/bookings/search', status: 200, contentType: 'text/plain', body: 'x' })).toEqual({
      ok: true,
    });
  });
});
