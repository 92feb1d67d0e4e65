const WINDOW_MS = 60_000;

/**
 * Google's per-user quota is a sliding minute. Only admitted requests are recorded,
 * so a client that keeps hammering while limited is not punished further.
 */
export class SlidingWindowRateLimiter {
  private readonly windows = new Map<string, number[]>();

  tryAcquire(key: string, limit: number, now: number): boolean {
    let window = this.windows.get(key);
    if (!window) {
      window = [];
      this.windows.set(key, window);
    }
    const cutoff = now - WINDOW_MS;
    while (window.length > 0 && (window[0] as number) <= cutoff) window.shift();
    if (window.length >= limit) return false;
    window.push(now);
    return true;
  }

  clear(): void {
    this.windows.clear();
  }
}
