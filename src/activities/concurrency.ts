import { ApplicationFailure } from '@temporalio/common';
import type { BudgetPace, ProviderBudgetStore } from '../db/provider-budget';
import type { ProviderSlotStore } from '../db/provider-slots';

/** Longer than one provider call can take (its 20 s timeout plus lookups), so a lease outlives its call. */
const LEASE_MS = 90_000;
/** How long to wait for a free slot before letting Temporal retry the activity. */
const WAIT_MS = 15_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `call` holding one of the account's request slots when the provider limits concurrency
 * (Graph: 4 per mailbox), so all workers together never exceed it. When every slot stays taken,
 * fails retryably and Temporal tries again shortly.
 */
export async function withRequestSlot<T>(
  slots: ProviderSlotStore,
  key: string,
  limit: number | undefined,
  call: () => Promise<T>,
): Promise<T> {
  if (!limit) return call();
  const deadline = Date.now() + WAIT_MS;
  let lease = await slots.tryAcquire(key, limit, LEASE_MS);
  for (let wait = 25; !lease; wait = Math.min(wait * 2, 400)) {
    if (Date.now() > deadline) {
      throw ApplicationFailure.create({
        type: 'ConcurrencyLimited',
        message: `all ${limit} request slots of ${key} are busy`,
        nextRetryDelay: '1 second',
      });
    }
    await pause(wait + Math.random() * wait);
    lease = await slots.tryAcquire(key, limit, LEASE_MS);
  }
  try {
    return await call();
  } finally {
    await slots.release(lease).catch(() => undefined);
  }
}

/**
 * The share of a provider's per-user quota that calls are paced at (bulk syncs pace their signals
 * the same). With a burst of one second's worth, a quota counted over a window of W seconds sees
 * at most share × (W + 1) seconds' worth in any window: under W for share ≤ W / (W + 1), 0.984 for
 * Google's minute; the rest is headroom for clocks and the account's own reads.
 */
export const PACE_SHARE = 0.98;

/** An account's request budget for a provider allowing `requestsPerSecond` per user: 95 % of it, a burst of one second's worth. */
export function requestPace(requestsPerSecond: number): BudgetPace {
  const perSecond = requestsPerSecond * PACE_SHARE;
  return { perSecond, burst: Math.max(1, perSecond) };
}

/**
 * Waits for a token of the account's request budget, shared by every worker: calls go out at most
 * at PACE_SHARE of the provider's per-user quota with a burst of one second's worth, so a backlog of
 * writes (a loaded or restarted worker catching up) is sent at that pace instead of all at once
 * into 429s. When no token comes for a while, fails retryably and Temporal tries again shortly.
 * Resolves true when it had to wait (the caller's view of the account may be stale by then).
 * `refusedAt`: a token was asked for at that time already (with the account's row) and refused;
 * the wait goes on from there, as if that had been its first try.
 */
export async function takeRequestToken(
  budget: ProviderBudgetStore,
  key: string,
  requestsPerSecond: number,
  signal?: AbortSignal,
  refusedAt?: number,
): Promise<boolean> {
  const { perSecond: pace, burst } = requestPace(requestsPerSecond);
  const deadline = (refusedAt ?? Date.now()) + WAIT_MS;
  let waited = false;
  let taken = refusedAt === undefined ? await budget.tryTake(key, pace, burst) : false;
  while (!taken) {
    waited = true;
    if (signal?.aborted) throw signal.reason;
    if (Date.now() > deadline) {
      throw ApplicationFailure.create({
        type: 'ConcurrencyLimited',
        message: `the request budget of ${key} stayed spent`,
        nextRetryDelay: '1 second',
      });
    }
    const interval = 1000 / pace;
    await pause(interval * (0.5 + Math.random()));
    taken = await budget.tryTake(key, pace, burst);
  }
  return waited;
}
