import { describe, expect, it } from 'vitest';
import { refreshDue, TOKEN_EXPIRY_MARGIN_MS, TOKEN_MIN_USABLE_MS } from '../../src/account-access/refresh-due';

// refreshDue(token, now) is true when less than min(margin, max(lifetime / 2, 30 s)) is left.
const NOW = Date.parse('2030-01-01T12:00:00Z');
const S = 1000;
const MIN = 60 * S;

/** A token with `left` ms until expiry (at NOW) that was issued `lifetime` ms before it expires. */
const token = (left: number, lifetime?: number) => ({
  tokenExpiresAt: new Date(NOW + left),
  tokenIssuedAt: lifetime === undefined ? null : new Date(NOW + left - lifetime),
});

describe('refreshDue', () => {
  it('is due when the expiry is unknown', () => {
    expect(refreshDue({ tokenExpiresAt: null, tokenIssuedAt: null }, NOW)).toBe(true);
    expect(refreshDue({ tokenExpiresAt: null, tokenIssuedAt: new Date(NOW) }, NOW)).toBe(true);
  });

  it('is due once the token has expired, and at the instant it expires', () => {
    expect(refreshDue(token(-1), NOW)).toBe(true);
    expect(refreshDue(token(0, 60 * MIN), NOW)).toBe(true);
  });

  it('uses the five-minute margin when the issue time is unknown: exactly five minutes left is not due', () => {
    expect(TOKEN_EXPIRY_MARGIN_MS).toBe(5 * MIN);
    expect(refreshDue(token(5 * MIN), NOW)).toBe(false);
    expect(refreshDue(token(5 * MIN - 1), NOW)).toBe(true);
    expect(refreshDue(token(60 * MIN), NOW)).toBe(false);
  });

  it('uses the five-minute margin for an hour-long token', () => {
    expect(refreshDue(token(5 * MIN, 60 * MIN), NOW)).toBe(false);
    expect(refreshDue(token(5 * MIN - 1, 60 * MIN), NOW)).toBe(true);
  });

  it('uses half the lifetime for a short-lived token, so a fresh one is not refreshed again', () => {
    // Two minutes: due below one minute left, not at a fresh 120 s.
    expect(refreshDue(token(2 * MIN, 2 * MIN), NOW)).toBe(false);
    expect(refreshDue(token(1 * MIN, 2 * MIN), NOW)).toBe(false);
    expect(refreshDue(token(1 * MIN - 1, 2 * MIN), NOW)).toBe(true);
    // Ten minutes: half is exactly the margin.
    expect(refreshDue(token(5 * MIN, 10 * MIN), NOW)).toBe(false);
    expect(refreshDue(token(5 * MIN - 1, 10 * MIN), NOW)).toBe(true);
  });

  it('never lets a very short-lived token get closer to expiry than 30 s', () => {
    expect(TOKEN_MIN_USABLE_MS).toBe(30 * S);
    // 40 s lifetime: half is 20 s, but the floor is 30 s.
    expect(refreshDue(token(30 * S, 40 * S), NOW)).toBe(false);
    expect(refreshDue(token(30 * S - 1, 40 * S), NOW)).toBe(true);
    expect(refreshDue(token(25 * S, 40 * S), NOW)).toBe(true);
  });

  it('with the smaller margin used right after a refresh, keeps a token until 30 s are left', () => {
    // A two-minute token with 45 s left: due under the default margin, usable right after a refresh.
    expect(refreshDue(token(45 * S, 2 * MIN), NOW)).toBe(true);
    expect(refreshDue(token(45 * S, 2 * MIN), NOW, TOKEN_MIN_USABLE_MS)).toBe(false);
    expect(refreshDue(token(30 * S, 2 * MIN), NOW, TOKEN_MIN_USABLE_MS)).toBe(false);
    expect(refreshDue(token(30 * S - 1, 2 * MIN), NOW, TOKEN_MIN_USABLE_MS)).toBe(true);
    // An hour-long token too: the margin, not the lifetime, decides.
    expect(refreshDue(token(31 * S, 60 * MIN), NOW, TOKEN_MIN_USABLE_MS)).toBe(false);
    expect(refreshDue(token(29 * S, 60 * MIN), NOW, TOKEN_MIN_USABLE_MS)).toBe(true);
  });

  it('with skewed clocks, judges by the expiry alone and keeps the 30 s floor', () => {
    // Issued "in our future" (the provider's clock is ahead): only the expiry is compared with now.
    expect(refreshDue({ tokenIssuedAt: new Date(NOW + 10 * S), tokenExpiresAt: new Date(NOW + 10 * S + 60 * MIN) }, NOW)).toBe(false);
    // An issue time after the expiry (a negative lifetime) still gets the 30 s floor, not zero.
    const backwards = (left: number) => ({ tokenIssuedAt: new Date(NOW + left + MIN), tokenExpiresAt: new Date(NOW + left) });
    expect(refreshDue(backwards(30 * S), NOW)).toBe(false);
    expect(refreshDue(backwards(30 * S - 1), NOW)).toBe(true);
  });
});
