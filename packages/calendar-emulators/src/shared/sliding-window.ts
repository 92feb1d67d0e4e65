/**
 * A per-key sliding-window limiter (Google: requests per user per minute; Graph:
 * requests per app per mailbox per 10 minutes). Only admitted requests are
 * recorded, so a client that keeps hammering while limited is not punished further.
 */
export class SlidingWindowRateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(readonly windowMs = 60_000) {}

  private window(key: string, now: number, windowMs: number): number[] {
    let window = this.windows.get(key);
    if (!window) {
      window = [];
      this.windows.set(key, window);
    }
    const cutoff = now - windowMs;
    while (window.length > 0 && (window[0] as number) <= cutoff) window.shift();
    return window;
  }

  /** `windowMs` overrides the constructor's window (the Google sandbox's is configurable). */
  tryAcquire(key: string, limit: number, now: number, windowMs = this.windowMs): boolean {
    const window = this.window(key, now, windowMs);
    if (window.length >= limit) return false;
    window.push(now);
    return true;
  }

  /** How long until `tryAcquire` can succeed again (0 when it can now). */
  retryAfterMs(key: string, limit: number, now: number): number {
    const window = this.window(key, now, this.windowMs);
    if (window.length < limit) return 0;
    // The request that has to leave the window for one slot to free up.
    const blocking = window[window.length - limit] as number;
    return Math.max(0, blocking + this.windowMs - now);
  }

  clear(): void {
    this.windows.clear();
  }
}
