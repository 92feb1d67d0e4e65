import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { SyncStateKey } from '../../../src/workflows/search-attributes';
import type { FloorActivities } from './activities';

/** The same confirm payload the service's booking workflow receives. */
export interface FloorConfirm {
  bookingId: string;
  participants: Array<{ userId: string }>;
}

export const floorConfirmSignal = defineSignal<[FloorConfirm]>('confirm');

const acts = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/**
 * What a floor booking does: `writes`, one no-op activity per participant; `service`, the
 * service's workflow's shape on the engine: one activity first (its reconcile's preparation),
 * then the writes, then its sync state upserted as a search attribute.
 */
export type FloorShape = 'writes' | 'service';

/**
 * The engine's floor for one booking: started with its confirm signal, one no-op activity per
 * participant (in parallel, as the service's lanes run), then done.
 */
export async function floorBookingWorkflow(shape: FloorShape = 'writes'): Promise<void> {
  let confirm: FloorConfirm | undefined;
  setHandler(floorConfirmSignal, (c) => void (confirm = c));
  await condition(() => confirm !== undefined);
  if (shape === 'service') await acts.prepareBooking(confirm!.bookingId);
  await Promise.all(confirm!.participants.map((p) => acts.touchCalendar(confirm!.bookingId, p.userId)));
  if (shape === 'service') upsertSearchAttributes([{ key: SyncStateKey, value: 'synced' }]);
}
