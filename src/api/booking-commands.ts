import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { BookingView } from '../domain/booking';
import type { bookingWorkflow } from '../workflows/booking';
import {
  bookingWorkflowId,
  cancelSignal,
  confirmSignal,
  rescheduleSignal,
  stateQuery,
  type BookingMemo,
  type CancelChange,
  type ConfirmChange,
  type RescheduleChange,
} from '../workflows/messages';
import { BookingIdKey, BookingStatusKey, ParticipantUserIdsKey, SyncStateKey } from '../workflows/search-attributes';
import type { WorkflowTarget } from '../config';
import { ApiError } from './errors';

/** How long GET waits for a worker to answer the state query before using the database. */
const QUERY_DEADLINE_MS = 5_000;

type Lifecycle = { kind: 'running'; memo: BookingMemo } | { kind: 'closed'; memo: BookingMemo } | { kind: 'unknown' };

/**
 * The API's side of Temporal: every booking change becomes a signal to the booking's workflow.
 * A 202 is returned only after Temporal has durably recorded the signal.
 */
export class BookingCommands {
  constructor(
    private readonly client: Client,
    private readonly target: WorkflowTarget,
  ) {}

  private handle(bookingId: string): WorkflowHandle<typeof bookingWorkflow> {
    return this.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(bookingId));
  }

  private async lifecycle(bookingId: string): Promise<Lifecycle> {
    try {
      const d = await this.handle(bookingId).describe();
      const memo = ((d.memo ?? {}) as Partial<BookingMemo>).status ?? 'none';
      return { kind: d.status.name === 'RUNNING' ? 'running' : 'closed', memo: { status: memo } };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'unknown' };
      throw err;
    }
  }

  private closedError(bookingId: string, memo: BookingMemo): ApiError {
    return memo.status === 'cancelled'
      ? new ApiError(409, 'booking_cancelled', `booking ${bookingId} is cancelled`)
      : new ApiError(409, 'booking_closed', `booking ${bookingId} has ended and no longer accepts changes`);
  }

  async confirm(bookingId: string, change: ConfirmChange): Promise<void> {
    try {
      await this.client.workflow.signalWithStart<typeof bookingWorkflow, [ConfirmChange]>('bookingWorkflow', {
        workflowId: bookingWorkflowId(bookingId),
        taskQueue: this.target.taskQueue,
        args: [this.target.maxHistoryEvents === undefined ? { bookingId } : { bookingId, maxHistoryEvents: this.target.maxHistoryEvents }],
        signal: confirmSignal,
        signalArgs: [change],
        // A finished booking's id is not reused: a late duplicate confirm cannot recreate its events.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { status: 'confirmed' } satisfies BookingMemo,
        typedSearchAttributes: [
          { key: BookingIdKey, value: bookingId },
          { key: BookingStatusKey, value: 'confirmed' },
          { key: SyncStateKey, value: 'pending' },
          { key: ParticipantUserIdsKey, value: change.booking.participants.map((p) => p.userId) },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const life = await this.lifecycle(bookingId);
      throw this.closedError(bookingId, life.kind === 'unknown' ? { status: 'none' } : life.memo);
    }
  }

  async reschedule(bookingId: string, change: RescheduleChange): Promise<void> {
    const life = await this.lifecycle(bookingId);
    if (life.kind === 'unknown') throw new ApiError(404, 'booking_not_found', `booking ${bookingId} is unknown`);
    if (life.kind === 'closed' || life.memo.status === 'cancelled') throw this.closedError(bookingId, life.memo);
    await this.signalRunning(bookingId, () => this.handle(bookingId).signal(rescheduleSignal, change));
  }

  /** Idempotent: cancelling a cancelled booking is accepted and changes nothing. */
  async cancel(bookingId: string, change: CancelChange): Promise<void> {
    const life = await this.lifecycle(bookingId);
    if (life.kind === 'unknown') throw new ApiError(404, 'booking_not_found', `booking ${bookingId} is unknown`);
    if (life.kind === 'closed') {
      if (life.memo.status === 'cancelled') return;
      throw this.closedError(bookingId, life.memo);
    }
    await this.signalRunning(bookingId, () => this.handle(bookingId).signal(cancelSignal, change));
  }

  private async signalRunning(bookingId: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      // It closed between describe and signal.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const life = await this.lifecycle(bookingId);
      throw this.closedError(bookingId, life.kind === 'unknown' ? { status: 'none' } : life.memo);
    }
  }

  /** The workflow's own view; `view: null` when no worker answered in time. */
  async view(bookingId: string): Promise<{ found: false } | { found: true; view: BookingView | null }> {
    const life = await this.lifecycle(bookingId);
    if (life.kind === 'unknown') return { found: false };
    const handle = this.handle(bookingId);
    try {
      if (life.kind === 'closed') return { found: true, view: await handle.result() };
      const view = await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(stateQuery));
      return { found: true, view };
    } catch {
      return { found: true, view: null };
    }
  }
}
