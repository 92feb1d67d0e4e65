import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { WorkflowTarget } from '../config';
import type { BookingView } from '../domain/booking';
import { bookingWorkflow, type BookingWorkflowInput } from '../workflows/booking';
import type { CarriedState } from '../workflows/booking-records';
import { connectionWorkflow, type CalendarAccountWorkflowInput } from '../workflows/calendar-account';
import { notificationWorkflow } from '../workflows/notification';
import { userErasureWorkflow, type UserErasureInput, type UserErasureResult } from '../workflows/user-erasure';
import {
  bookingWorkflowId,
  cancelSignal,
  confirmSignal,
  connectedSignal,
  calendarAccountWorkflowId,
  disconnectSignal,
  refreshBusySignal,
  renewPushSignal,
  rescheduleSignal,
  stateQuery,
  type BookingMemo,
  type CancelChange,
  type ConfirmChange,
  type RescheduleChange,
  notificationWorkflowId,
  userErasureWorkflowId,
} from '../workflows/messages';
import { BookingIdKey, BookingStatusKey, ParticipantUserIdsKey, SyncStateKey } from '../workflows/search-attributes';

/** How long a state query waits for a worker to answer. */
const QUERY_DEADLINE_MS = 5_000;

/** A booking workflow as Temporal describes it, with the status its memo records. */
export type BookingLifecycle = { kind: 'running' | 'closed'; memo: BookingMemo } | { kind: 'unknown' };

/** A change for a booking whose workflow is gone, sent to the new workflow that resumes it. */
export type ResumingChange = { kind: 'cancel'; change: CancelChange } | { kind: 'reschedule'; change: RescheduleChange };

/** A user's erasure: still running after the wait, or finished with its result. */
export type ErasureProgress = { kind: 'running' } | { kind: 'finished'; result: UserErasureResult };

/** A calendar account as its workflow is started with: ids only. */
export interface CalendarAccountRef {
  id: string;
  userId: string;
}

/** What a calendar account workflow is asked to do by a provider's push notification. */
export type PushRequest = 'refresh_busy' | 'renew_push';

/**
 * Every call this service makes to Temporal as a client: starting and signalling the booking
 * and connection workflows, reading a booking's state, and the readiness check. Temporal's
 * errors that callers decide on come back as values; anything else is thrown.
 */
export class WorkflowGateway {
  constructor(
    private readonly client: Client,
    private readonly target: WorkflowTarget,
  ) {}

  private booking(bookingId: string): WorkflowHandle<typeof bookingWorkflow> {
    return this.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(bookingId));
  }

  /**
   * Starts the booking's workflow with its confirm signal, or signals the running one.
   * `id_used`: a workflow of this booking has already finished, and its id is not reused.
   */
  async confirmBooking(bookingId: string, change: ConfirmChange): Promise<'sent' | 'id_used'> {
    try {
      await this.client.workflow.signalWithStart(bookingWorkflow, {
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
      return 'sent';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'id_used';
      throw err;
    }
  }

  /**
   * Starts a new workflow for a booking whose workflow Temporal no longer has (its retention
   * removed it), from the state the database recorded, with the change as its first signal.
   * `id_used`: a workflow of this booking exists again (another request resumed it meanwhile).
   */
  async resumeBooking(bookingId: string, carried: CarriedState, resuming: ResumingChange): Promise<'sent' | 'id_used'> {
    const desired = carried.desired;
    const start = {
      workflowId: bookingWorkflowId(bookingId),
      taskQueue: this.target.taskQueue,
      args: [
        this.target.maxHistoryEvents === undefined
          ? { bookingId, carried }
          : { bookingId, carried, maxHistoryEvents: this.target.maxHistoryEvents },
      ] as [BookingWorkflowInput],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { status: desired?.status ?? 'none' } satisfies BookingMemo,
      typedSearchAttributes: [
        { key: BookingIdKey, value: bookingId },
        ...(desired ? [{ key: BookingStatusKey, value: desired.status }] : []),
        { key: SyncStateKey, value: 'pending' },
        { key: ParticipantUserIdsKey, value: desired?.details.participants.map((p) => p.userId) ?? [] },
      ],
    };
    try {
      if (resuming.kind === 'cancel') {
        await this.client.workflow.signalWithStart(bookingWorkflow, { ...start, signal: cancelSignal, signalArgs: [resuming.change] });
      } else {
        await this.client.workflow.signalWithStart(bookingWorkflow, { ...start, signal: rescheduleSignal, signalArgs: [resuming.change] });
      }
      return 'sent';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'id_used';
      throw err;
    }
  }

  /** Signals the booking's running workflow; `not_running` when it has none (it closed, or never ran). */
  async rescheduleBooking(bookingId: string, change: RescheduleChange): Promise<'sent' | 'not_running'> {
    return this.signalRunning(() => this.booking(bookingId).signal(rescheduleSignal, change));
  }

  /** Signals the booking's running workflow; `not_running` when it has none (it closed, or never ran). */
  async cancelBooking(bookingId: string, change: CancelChange): Promise<'sent' | 'not_running'> {
    return this.signalRunning(() => this.booking(bookingId).signal(cancelSignal, change));
  }

  private async signalRunning(send: () => Promise<void>): Promise<'sent' | 'not_running'> {
    try {
      await send();
      return 'sent';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'not_running';
      throw err;
    }
  }

  /** Whether the booking's workflow runs, has closed or was never started; read without a worker. */
  async bookingLifecycle(bookingId: string): Promise<BookingLifecycle> {
    try {
      const described = await this.booking(bookingId).describe();
      const status = ((described.memo ?? {}) as Partial<BookingMemo>).status ?? 'none';
      return { kind: described.status.name === 'RUNNING' ? 'running' : 'closed', memo: { status } };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'unknown' };
      throw err;
    }
  }

  /**
   * The booking workflow's own view: its result once closed, its state query while running.
   * `null` when it has none, or no worker answered in time.
   */
  async bookingView(bookingId: string, lifecycle: 'running' | 'closed'): Promise<BookingView | null> {
    const handle = this.booking(bookingId);
    try {
      if (lifecycle === 'closed') return await handle.result();
      return await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(stateQuery));
    } catch {
      return null;
    }
  }

  private calendarAccountStart(account: CalendarAccountRef) {
    const input: CalendarAccountWorkflowInput = { connectionId: account.id, userId: account.userId };
    if (this.target.maxHistoryEvents !== undefined) input.maxHistoryEvents = this.target.maxHistoryEvents;
    return {
      workflowId: calendarAccountWorkflowId(account.id),
      taskQueue: this.target.taskQueue,
      args: [input] as [CalendarAccountWorkflowInput],
    };
  }

  /** Tells the account's workflow it was (re)connected, starting the workflow if needed. */
  async signalConnected(account: CalendarAccountRef, reconnect: boolean): Promise<void> {
    await this.client.workflow.signalWithStart(connectionWorkflow, {
      ...this.calendarAccountStart(account),
      signal: connectedSignal,
      signalArgs: [{ reconnect }],
    });
  }

  /** Asks the account's workflow to disconnect it (after removing our events when asked). */
  async signalDisconnect(account: CalendarAccountRef, removeEvents: boolean): Promise<void> {
    await this.client.workflow.signalWithStart(connectionWorkflow, {
      ...this.calendarAccountStart(account),
      signal: disconnectSignal,
      signalArgs: [{ removeEvents }],
    });
  }

  /** Passes a provider's push notification to the account's running workflow; never starts one. */
  async signalPush(accountId: string, request: PushRequest): Promise<void> {
    const handle = this.client.workflow.getHandle<typeof connectionWorkflow>(calendarAccountWorkflowId(accountId));
    await handle.signal(request === 'renew_push' ? renewPushSignal : refreshBusySignal);
  }

  /**
   * Starts a delivery run for a (reopened) notification under its usual workflow id, so a crash
   * after this call loses nothing. A run of it still open is joined (`running`: it delivers what is
   * pending) or, with `replace`, terminated and a new one started (it was past its delivery).
   */
  async deliverNotification(id: string, retryForMs: number, open: 'join' | 'replace'): Promise<'started' | 'running'> {
    try {
      await this.client.workflow.start(notificationWorkflow, {
        workflowId: notificationWorkflowId(id),
        taskQueue: this.target.taskQueue,
        args: [{ id, retryForMs }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        workflowIdConflictPolicy: open === 'replace' ? WorkflowIdConflictPolicy.TERMINATE_EXISTING : WorkflowIdConflictPolicy.FAIL,
      });
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'running';
      throw err;
    }
  }

  /**
   * Starts the user's erasure, or attaches to the one running (a repeated request, a double
   * click): one workflow per user at a time. A finished one is started again, which finds little
   * or nothing left and records the erasure anew. Waits up to `waitMs` for it to finish.
   */
  async eraseUser(input: UserErasureInput, waitMs: number): Promise<ErasureProgress> {
    const handle = await this.client.workflow.start(userErasureWorkflow, {
      workflowId: userErasureWorkflowId(input.subject.hash),
      taskQueue: this.target.taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    try {
      const result = await this.client.withDeadline(Date.now() + waitMs, () => handle.result());
      return { kind: 'finished', result };
    } catch {
      // Not finished within the wait (or the wait itself failed): it carries on in Temporal.
      return { kind: 'running' };
    }
  }

  /**
   * Resolves when the Temporal server answers within `deadlineMs` (readiness). The deadline ends the
   * client's retries of an unreachable server too: a call left retrying would fire on a closed
   * connection after shutdown and throw outside any caller.
   */
  async ping(deadlineMs: number): Promise<void> {
    await this.client.withDeadline(Date.now() + deadlineMs, () => this.client.connection.workflowService.getSystemInfo({}));
  }
}
