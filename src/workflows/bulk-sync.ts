import { continueAsNew, getExternalWorkflowHandle, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { bookingWorkflowId, syncConnectionSignal } from './messages';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

const PAGE_SIZE = 100;

export interface BulkSyncInput {
  connectionId: string;
  userId: string;
  after?: string | null;
  done?: number;
  startedAt?: string;
}

/**
 * Brings a newly (re)connected calendar up to date: pages through the user's confirmed bookings
 * that have not ended and asks each booking's workflow (the only writer of its events) to sync
 * this calendar, at a pace under the provider's per-user quota. Continues as new between pages,
 * so any number of bookings keeps the history small; a restart resumes at the last page.
 */
export async function bulkSyncWorkflow(input: BulkSyncInput): Promise<{ done: number }> {
  const startedAt = input.startedAt ?? new Date(Date.now()).toISOString();
  let done = input.done ?? 0;
  const page = await acts.bulkSyncPage({
    connectionId: input.connectionId,
    userId: input.userId,
    after: input.after ?? null,
    limit: PAGE_SIZE,
    done,
    startedAt,
  });
  if (!page.active) return { done };

  // Each booking costs about one provider request: send `ratePerSecond` per second.
  for (let i = 0; i < page.bookingIds.length; i += page.ratePerSecond) {
    const batch = page.bookingIds.slice(i, i + page.ratePerSecond);
    await Promise.all(batch.map((bookingId) => signalBooking(bookingId, input.connectionId)));
    done += batch.length;
    if (i + page.ratePerSecond < page.bookingIds.length || page.bookingIds.length === PAGE_SIZE) await sleep(1_000);
  }

  if (page.bookingIds.length === PAGE_SIZE) {
    await continueAsNew<typeof bulkSyncWorkflow>({ ...input, after: page.bookingIds[page.bookingIds.length - 1]!, done, startedAt });
  }
  await acts.finishBulkSync({ connectionId: input.connectionId, done, startedAt });
  return { done };
}

async function signalBooking(bookingId: string, connectionId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(bookingWorkflowId(bookingId)).signal(syncConnectionSignal, { connectionId });
  } catch {
    // The booking's workflow has finished (ended or cancelled): it has nothing to sync.
  }
}
