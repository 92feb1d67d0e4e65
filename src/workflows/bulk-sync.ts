import { continueAsNew, getExternalWorkflowHandle, sleep } from '@temporalio/workflow';
import type { BulkSyncPage } from '../activities';
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
  /** Fractional signals owed to the next batch (2.5 a batch sends 2, 3, 2, 3, …). */
  allowance?: number;
  /** This run's page, read by the run before while it sent its own; absent on the first run. */
  page?: BulkSyncPage;
}

/** How far behind its schedule the pace may run before it starts afresh (no burst to catch up). */
const MAX_CATCH_UP_MS = 2_000;

/**
 * Time between batches. The request budget holds at most a second's worth of calls, so a batch
 * that goes out late loses the calls its budget could not hold: with a batch a second, any
 * lateness of a timer was lost (the writes ran at 0.91 of the pace); with four, a batch may be
 * up to three quarters of a second late before anything is.
 */
const BATCH_INTERVAL_MS = 250;

/**
 * Sends a batch every BATCH_INTERVAL_MS, `ratePerSecond` on average, against a schedule rather
 * than a sleep per batch: the server fires timers late at times, and sleeping after each batch
 * would add that lateness to every batch (the pace fell to about 85 % of the rate).
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
    // At least one a second whatever the input says, so a page always ends.
    allowance += (Math.max(1, ratePerSecond) * BATCH_INTERVAL_MS) / 1_000;
    const size = Math.floor(allowance);
    if (size > 0) {
      allowance -= size;
      await Promise.all(bookingIds.slice(i, i + size).map((bookingId) => signalBooking(bookingId, input.connectionId)));
      i += size;
    }
    dueAt += BATCH_INTERVAL_MS;
  }
  return { dueAt, allowance: Math.max(0, allowance) };
}

/**
 * Brings a newly (re)connected calendar up to date: pages through the user's confirmed bookings
 * that have not ended and asks each booking's workflow (the only writer of its events) to sync
 * this calendar, at a pace under the provider's per-user quota. Continues as new between pages,
 * so any number of bookings keeps the history small; a restart resumes at the last page. Each run
 * reads the next page while it sends its own and hands it to the next run: a page turn leaves
 * no pause in the pace, and the request budget, which lets only a second's worth of calls build
 * up, has no idle time to lose. When the last page is done it tells the booking system
 * (`connection.bulk_sync_completed`).
 */
export async function bulkSyncWorkflow(input: BulkSyncInput): Promise<{ done: number }> {
  const startedAt = input.startedAt ?? nowIso();
  let done = input.done ?? 0;
  // `done` counts the bookings signalled once the pages before the one read are sent.
  const readPage = (after: string | null, sent: number): Promise<BulkSyncPage> =>
    activities.bulkSyncPage({ connectionId: input.connectionId, userId: input.userId, after, limit: PAGE_SIZE, done: sent, startedAt });
  const page = input.page ?? (await readPage(input.after ?? null, done));
  if (!page.active) return { done };

  const last = page.bookingIds.at(-1);
  const next = last !== undefined && page.bookingIds.length === PAGE_SIZE ? readPage(last, done + PAGE_SIZE) : undefined;
  const pace = await signalOnSchedule(page.bookingIds, page.ratePerSecond, input);
  done += page.bookingIds.length;

  if (next) {
    const nextPage = await next;
    if (!nextPage.active) return { done };
    if (nextPage.bookingIds.length > 0) {
      await continueAsNew<typeof bulkSyncWorkflow>({ ...input, ...pace, after: last, done, startedAt, page: nextPage });
    }
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
