import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { toProviderError as googleError } from '../../src/providers/google/errors';
import { toProviderError as graphError } from '../../src/providers/microsoft/errors';
import { checkResponse } from '../../src/providers/caldav/errors';
import { parseRetryAfter } from '../../src/providers/retry-after';
import { ProviderError } from '../../src/providers/types';

function thrown(status: number, headers: Record<string, string> = {}): ProviderError {
  try {
    checkResponse(new Response(null, { status, headers }), 'PUT event');
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error(`status ${status} was not refused`);
}

describe('CalDAV answers as typed provider errors', () => {
  it('lets 2xx through', () => {
    for (const status of [200, 201, 204, 207]) expect(() => checkResponse(new Response(null, { status }), 'PUT event')).not.toThrow();
  });

  it('maps each refusal to the kind the retry rules act on', () => {
    const kinds = Object.fromEntries([401, 403, 404, 405, 408, 409, 410, 412, 429, 500, 502, 503, 507].map((s) => [s, thrown(s).kind]));
    expect(kinds).toEqual({
      401: 'unauthorized',
      403: 'rejected',
      404: 'not_found',
      405: 'rejected',
      408: 'transient',
      409: 'rejected',
      410: 'not_found',
      412: 'precondition_failed',
      429: 'rate_limited',
      500: 'transient',
      502: 'transient',
      503: 'transient',
      507: 'transient',
    });
  });

  it('carries the status and the server-asked wait, and names the request', () => {
    const err = thrown(429, { 'retry-after': '7' });
    expect(err.details).toEqual({ status: 429, retryAfterMs: 7000 });
    expect(err.message).toMatch(/^CalDAV PUT event answered 429/);
    expect(thrown(503).details).toEqual({ status: 503, retryAfterMs: undefined });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('reads delta seconds, fractions included', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
  });
  it('reads an HTTP date as the wait until then, never negative', () => {
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    for (const v of [undefined, null, '', 'soon', '-5']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('Google and Graph refusals about the account itself', () => {
  it('Google 403 notACalendarUser (a suspended user, Calendar switched off) is account_disabled; other 403s are not', () => {
    const refusal = (reason: string) => ({
      response: { status: 403, data: { error: { code: 403, message: 'm', errors: [{ reason }] } } },
    });
    expect(googleError(refusal('notACalendarUser')).kind).toBe('account_disabled');
    expect(googleError(refusal('requiredAccessLevel')).kind).toBe('rejected');
    expect(googleError(refusal('userRateLimitExceeded')).kind).toBe('rate_limited');
  });

  it('Graph MailboxNotEnabledForRESTAPI (404) and ErrorAccountDisabled are account_disabled, not a missing item', () => {
    const graph = (status: number, code: string) => Object.assign(new GraphError(status, 'm'), { code });
    expect(graphError(graph(404, 'MailboxNotEnabledForRESTAPI')).kind).toBe('account_disabled');
    expect(graphError(graph(403, 'ErrorAccountDisabled')).kind).toBe('account_disabled');
    expect(graphError(graph(404, 'ErrorItemNotFound')).kind).toBe('not_found');
    expect(graphError(graph(403, 'ErrorAccessDenied')).kind).toBe('rejected');
  });
});
