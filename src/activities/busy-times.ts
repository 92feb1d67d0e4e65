import { BusyStore } from '../db/busy-times';
import { ProviderError } from '../providers/types';
import { connectionAccess } from './access';
import { withRequestSlot } from './concurrency';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './failures';

export interface RefreshBusyInput {
  connectionId: string;
  tokenJustRefreshed?: boolean;
}

const DAY_MS = 24 * 3_600_000;
/** Busy times are kept from a day ago to this far ahead (Google refuses ranges over ~90 days). */
export const BUSY_HORIZON_DAYS = 60;
export const DEFAULT_BUSY_POLL_MS = 15 * 60_000;

export function createBusyTimeActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  const store = new BusyStore(deps.pool);
  return {
    /** How often connection workflows read busy times (BUSY_POLL_INTERVAL), as this worker is configured. */
    async busyTimeSettings(): Promise<{ pollIntervalMs: number }> {
      return { pollIntervalMs: deps.busyPollIntervalMs ?? DEFAULT_BUSY_POLL_MS };
    },

    /** Reads the connection's busy times for the horizon and replaces what is stored. Returns how many. */
    async refreshBusyTimes(input: RefreshBusyInput): Promise<{ intervals: number }> {
      const { ctx, provider, tokenVersion } = await connectionAccess(deps, now(), input);
      const window = { from: new Date(now() - DAY_MS), to: new Date(now() + BUSY_HORIZON_DAYS * DAY_MS) };
      const adapter = deps.providers.calendar(provider);
      let intervals;
      try {
        intervals = await withRequestSlot(deps.pool, `connection:${input.connectionId}`, adapter.maxConcurrentRequestsPerUser, () => adapter.listBusy(ctx, window));
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'unauthorized')) {
          await store.recordError(input.connectionId, err instanceof Error ? err.message : String(err)).catch(() => undefined);
        }
        throw toActivityFailure(err, tokenVersion);
      }
      await store.replace(input.connectionId, window, intervals);
      return { intervals: intervals.length };
    },
  };
}
