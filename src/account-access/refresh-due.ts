// When an OAuth access token is due for a refresh (no I/O here: shared by activities and the API).

/** Refresh before a token gets this close to expiry, so a call never races the clock. */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000;
/** A token this close to expiry is not used at all, even right after a refresh. */
export const TOKEN_MIN_USABLE_MS = 30_000;

/**
 * Whether a token should be refreshed before use: when less than the margin is left — five
 * minutes, or half its lifetime for providers that issue short-lived tokens (else every use of
 * a fresh two-minute token would refresh it again).
 */
export function refreshDue(
  c: { tokenExpiresAt: Date | null; tokenIssuedAt: Date | null },
  now: number,
  margin = TOKEN_EXPIRY_MARGIN_MS,
): boolean {
  const expires = c.tokenExpiresAt?.getTime() ?? 0;
  const lifetime = c.tokenIssuedAt ? expires - c.tokenIssuedAt.getTime() : Number.POSITIVE_INFINITY;
  return expires - now < Math.min(margin, Math.max(lifetime / 2, TOKEN_MIN_USABLE_MS));
}
