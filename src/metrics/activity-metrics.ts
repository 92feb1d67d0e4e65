import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { activityDuration, activityRetries, rateLimitWaits, rateLimitWaitSeconds } from './metrics';

const SLOW_DOWN = new Set(['RateLimited', 'QuotaExceeded']);

/** Seconds in a Temporal duration as activities set it (a number of ms, or a string like '30s'). */
function delaySeconds(delay: unknown): number | undefined {
  if (typeof delay === 'number') return delay / 1000;
  if (typeof delay === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(delay.trim());
    if (!m) return undefined;
    const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 'ms']!;
    return Number(m[1]) * unit;
  }
  return undefined;
}

/** Every activity attempt: its duration and outcome, whether it is a retry, and rate limits met. */
export const activityMetrics: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const activity = ctx.info.activityType;
      if (ctx.info.attempt > 1) activityRetries.inc({ activity });
      const end = activityDuration.startTimer({ activity });
      try {
        const result = await next(input);
        end({ outcome: 'ok' });
        return result;
      } catch (err) {
        const type = err instanceof ApplicationFailure ? (err.type ?? 'failure') : 'error';
        end({ outcome: type });
        if (SLOW_DOWN.has(type)) {
          rateLimitWaits.inc({ activity });
          const seconds = delaySeconds((err as ApplicationFailure).nextRetryDelay);
          if (seconds !== undefined) rateLimitWaitSeconds.inc({ activity }, seconds);
        }
        throw err;
      }
    },
  },
});
