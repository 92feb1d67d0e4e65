import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BookingDetails, BookingView } from '../domain/booking';

/** Signal and query definitions, shared by the workflow and the API that sends them. */

export interface ConfirmChange {
  version?: number;
  booking: BookingDetails;
}

export interface RescheduleChange {
  version?: number;
  start: string;
  end: string;
  timeZone?: string;
}

export interface CancelChange {
  version?: number;
  reason?: string;
}

/** Sent when a calendar is connected or reconnected: re-drive that calendar account's event. */
export interface SyncConnectionRequest {
  connectionId: string;
}

export const confirmSignal = defineSignal<[ConfirmChange]>('confirm');
export const rescheduleSignal = defineSignal<[RescheduleChange]>('reschedule');
export const cancelSignal = defineSignal<[CancelChange]>('cancel');
export const syncConnectionSignal = defineSignal<[SyncConnectionRequest]>('syncConnection');
export const stateQuery = defineQuery<BookingView | null>('state');

export const bookingWorkflowId = (bookingId: string): string => `booking:${bookingId}`;

/** Memo the API reads to answer 409 without a query (which would need a live worker). */
export interface BookingMemo {
  status: 'confirmed' | 'cancelled' | 'none';
}

/** Sent to a calendar account's workflow when it is connected or reconnected: bring its bookings in. */
export interface ConnectedEvent {
  reconnect: boolean;
}
export const connectedSignal = defineSignal<[ConnectedEvent]>('connected');
export const calendarAccountWorkflowId = (connectionId: string): string => `connection:${connectionId}`;
export const bulkSyncWorkflowId = (connectionId: string, run: number): string => `bulk-sync:${connectionId}:${run}`;

/** Sent to a calendar account's workflow when its user disconnects it. */
export interface DisconnectRequest {
  removeEvents: boolean;
}
export const disconnectSignal = defineSignal<[DisconnectRequest]>('disconnect');

/** Read the calendar account's busy times now (a push notification arrived, or an operator asks). */
export const refreshBusySignal = defineSignal('refreshBusy');

/** Open a new push channel now (the provider removed ours, or asks to re-authorize it). */
export const renewPushSignal = defineSignal('renewPush');

export const notificationWorkflowId = (id: string): string => `notification:${id}`;

/** Sent to a booking's workflow when one of its participants is erased: they are forgotten. */
export interface EraseParticipantRequest {
  userId: string;
}
export const eraseParticipantSignal = defineSignal<[EraseParticipantRequest]>('eraseParticipant');

/** Named by the user's hash (src/crypto/user-subject.ts), so the id shown in the Web UI names no one. */
export const userErasureWorkflowId = (subjectHash: string): string => `user-erasure:${subjectHash}`;

/** The retention schedule's id (its runs are `retention-<time>`). */
export const RETENTION_SCHEDULE_ID = 'retention';
