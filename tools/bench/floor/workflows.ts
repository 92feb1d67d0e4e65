import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/** The same confirm payload the service's booking workflow receives. */
export interface FloorConfirm {
  bookingId: string;
  participants: Array<{ userId: string }>;
}

export const floorConfirmSignal = defineSignal<[FloorConfirm]>('confirm');

const acts = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/**
 * The engine's floor for one booking: started with its confirm signal, one no-op activity per
 * participant (in parallel, as the service's lanes run), then done.
 */
export async function floorBookingWorkflow(): Promise<void> {
  let confirm: FloorConfirm | undefined;
  setHandler(floorConfirmSignal, (c) => void (confirm = c));
  await condition(() => confirm !== undefined);
  await Promise.all(confirm!.participants.map((p) => acts.touchCalendar(confirm!.bookingId, p.userId)));
}
