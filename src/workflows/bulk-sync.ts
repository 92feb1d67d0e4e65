import { continueAsNew, getExternalWorkflowHandle, sleep } from '@temporalio/workflow';
import { activities } from './activity-options';
import { bookingWorkflowId, syncConnectionSignal } from './messages';
import { emitNotification } from './notification';
import { nowIso } from './workflow-clock';

const PAGE_SIZE = 100;

export interface BulkSyncInput {
  connectionId: string;
  userId: string;
  after?: string | null;
  done?: number;
  startedAt?: string;
  /** When the next batch of signals is due (epoch ms), carried across pages so the pace holds. */
  dueAt?: number;
  /** Fractional signals owed to the next batch (a rate of 9.5/s sends 9, 10, 9, …). */
  allowance?: number;
}

/** How far behind its schedule the pace may run before it starts afresh (no burst to catch up). */
const MAX_CATCH_UP_MS = 2_000;

/**
 * Sends one batch a second, `ratePerSecond` on average, against a schedule rather than a sleep
 * per batch: the server fires timers up to a second late, and sleeping after each batch would
 * add that lateness to every second (the pace fell to about 85 % of the rate).
 */
async function signalOnSchedule(
  bookingIds: string[],
  ratePerSecond: number,
  input: BulkSyncInput,
): Promise<{ dueAt: number; allowance: number }> {
  let dueAt = Math.max(input.dueAt ?? Date.now(), Date.now() - MAX_CATCH_UP_MS);
  let allowance = input.allowance ?? 0;
  for (let i = 0; i < bookingIds.length;) {
    if (dueAt > Date.now()) await sleep(dueAt - Date.now());
    allowance += ratePerSecond;
    const size = Math.max(1, Math.floor(allowance));
    allowance -= size;
    await Promise.all(bookingIds.slice(i, i + size).map((bookingId) => signalBooking(bookingId, input.connectionId)));
    i += size;
    dueAt += 1_000;
  }
  return { dueAt, allowance: Math.max(0, allowance) };
}

/**
 * Brings a newly (re)connected calendar up to date: pages through the user's confirmed bookings
 * that have not ended and asks each booking's workflow (the only writer of its events) to sync
 * this calendar, at a pace under the provider's per-user quota. Continues as new between pages,
 * so any number of bookings keeps the history small; a restart resumes at the last page. When
 * the last page is done it tells the booking system (`connection.bulk_sync_completed`).
 */
export async function bulkSyncWorkflow(input: BulkSyncInput): Promise<{ done: number }> {
  const startedAt = input.startedAt ?? nowIso();
  let done = input.done ?? 0;
  const page = await activities.bulkSyncPage({
    connectionId: input.connectionId,
    userId: input.userId,
    after: input.after ?? null,
    limit: PAGE_SIZE,
    done,
    startedAt,
  });
  if (!page.active) return { done };

  const pace = await signalOnSchedule(page.bookingIds, page.ratePerSecond, input);
  done += page.bookingIds.length;

  if (page.bookingIds.length === PAGE_SIZE) {
    await continueAsNew<typeof bulkSyncWorkflow>({
      ...input,
      ...pace,
      after: page.bookingIds[page.bookingIds.length - 1]!,
      done,
      startedAt,
    });
  }
  const finished = await activities.finishBulkSync({ connectionId: input.connectionId, done, startedAt });
  // Histories recorded before the activity returned the provider have no result.
  await emitNotification('connection.bulk_sync_completed', {
    connectionId: input.connectionId,
    userId: input.userId,
    provider: finished?.provider ?? null,
    counts: { bookings: done },
  });
  return { done };
}

async function signalBooking(bookingId: string, connectionId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(bookingWorkflowId(bookingId)).signal(syncConnectionSignal, { connectionId });
  } catch {
    // The booking's workflow has finished (ended or cancelled): it has nothing to sync.
  }
}
