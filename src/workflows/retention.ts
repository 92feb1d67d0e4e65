import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { RetainedKind } from '../domain/personal-data';
import { activities } from './activity-options';

export type RetentionResult = Record<RetainedKind, number>;

export interface RetentionInput {
  /** RETENTION in milliseconds: rows older than this go. */
  retentionMs: number;
  /** Rows per delete (tests lower it to see batching). */
  batchSize?: number;
  /** Carried across continue-as-new: the cut-off of this run, and what went so far. */
  beforeMs?: number;
  deleted?: RetentionResult;
}

const KINDS: readonly RetainedKind[] = ['syncLog', 'notifications', 'webhookReceipts', 'bookings'];
const BATCH_SIZE = 1_000;

/**
 * Run daily by the `retention` schedule: deletes audit rows (sync_log), settled notifications,
 * applied webhook receipts and finished bookings older than RETENTION, a batch per activity
 * until a batch comes back short, and returns how many of each went. The cut-off is taken once,
 * at the start, so a long run does not chase rows that age meanwhile; a backlog large enough to
 * grow the history continues as new with the same cut-off.
 */
export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  const beforeMs = input.beforeMs ?? Date.now() - input.retentionMs;
  const limit = input.batchSize ?? BATCH_SIZE;
  const deleted: RetentionResult = input.deleted ?? { syncLog: 0, notifications: 0, webhookReceipts: 0, bookings: 0 };
  for (const kind of KINDS) {
    for (;;) {
      const batch = await activities.deleteRetainedBatch({ kind, beforeMs, limit });
      deleted[kind] += batch;
      if (batch < limit) break;
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof retentionWorkflow>({ ...input, beforeMs, deleted });
    }
  }
  return deleted;
}
