import type { RetainedKind } from '../domain/personal-data';
import type { ActivityDeps } from './deps';

/** Retention's deletes, a batch per call so each activity is short. */
export function createRetentionActivities(deps: Pick<ActivityDeps, 'retention'>) {
  return {
    /** Deletes up to `limit` rows of `kind` older than `beforeMs`; returns how many went. */
    async deleteRetainedBatch(input: { kind: RetainedKind; beforeMs: number; limit: number }): Promise<number> {
      return deps.retention.deleteBatch(input.kind, new Date(input.beforeMs), input.limit);
    },
  };
}
