import { setTimeout as sleepUntil } from 'node:timers/promises';

export interface PacedOffers {
  offers: number;
  /** Offers per second as they were actually sent: below the offered rate when the driver fell behind. */
  achievedPerSecond: number;
}

/** Offers for a rate held for a number of seconds: at least one. */
export const offersFor = (perSecond: number, seconds: number): number => Math.max(1, Math.round(perSecond * seconds));

/**
 * Open loop: offer i is sent at start + i / perSecond whether or not earlier ones have ended, so
 * a side slower than the rate builds a queue instead of slowing the driver down. `offer` must not
 * reject (count failures inside it); resolves once every offer has ended.
 */
export async function offerAtRate(count: number, perSecond: number, offer: (i: number) => Promise<void>): Promise<PacedOffers> {
  const intervalMs = 1000 / perSecond;
  const startedAt = performance.now();
  let lastSentAt = startedAt;
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    // Against the fixed schedule, not the previous send: a late timer does not shift later offers.
    const wait = startedAt + i * intervalMs - performance.now();
    if (wait > 0) await sleepUntil(wait);
    lastSentAt = performance.now();
    pending.push(offer(i));
  }
  await Promise.all(pending);
  // n offers span n intervals: the last one's send plus its own interval.
  const spanMs = lastSentAt - startedAt + intervalMs;
  return { offers: count, achievedPerSecond: Math.round((count * 100_000) / spanMs) / 100 };
}
