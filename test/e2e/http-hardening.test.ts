import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';

const LIMIT = 5;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ API_RATE_LIMIT_PER_MINUTE: String(LIMIT) });
});
afterAll(async () => {
  await h?.close();
});

async function raw(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.service.url}${path}`, { headers });
}

describe('HTTP hardening', () => {
  it('sends security headers on API answers and pages', async () => {
    // Without the API key, so the limiter test below starts with the key's whole budget.
    for (const res of [await raw('/healthz'), await raw('/settings?token=forged')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain(`form-action 'self' ${new URL(h.config.google.authUrl).origin}`);
    }
  });

  it('limits each API key per minute with 429 and Retry-After, without touching other clients or health checks', async () => {
    const path = `/v1/users/${h.id('user')}/connections`;
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await h.api('GET', path)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(200));

    const over = await fetch(`${h.service.url}${path}`, { headers: { authorization: `Bearer ${h.config.apiKeys[0]}` } });
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await over.json()) as { code: string }).code).toBe('rate_limited');

    // Health checks and provider notifications are never limited; a client without the key has its own budget.
    for (let i = 0; i < LIMIT + 2; i++) expect((await raw('/healthz')).status).toBe(200);
    for (let i = 0; i < LIMIT + 2; i++) {
      const forged = await fetch(`${h.service.url}/v1/webhooks/google`, {
        method: 'POST',
        headers: { 'x-goog-channel-id': 'x', 'x-goog-channel-token': 'y' },
      });
      expect(forged.status).toBe(401);
    }
    expect((await raw('/v1/bookings/x')).status).toBe(401);
    // Made-up bearer keys share the address's budget instead of each buying a fresh one.
    const made = [];
    for (let i = 0; i < LIMIT + 1; i++) made.push((await raw('/v1/bookings/x', { authorization: `Bearer made-up-${i}` })).status);
    expect(made).toContain(429);
  });
});
