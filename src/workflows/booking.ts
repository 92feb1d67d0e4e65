import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BookingDetails, BookingStatus, BookingView, ReconcileTargets } from '../domain/booking';
import { KEEP_AFTER_END_MS } from '../domain/booking-lifetime';
import { FailureType } from '../domain/failures';
import { activities, bookingStoreActivities } from './activity-options';
import { recordKey, type CarriedState, type ReconcileOp } from './booking-records';
import { BookingState } from './booking-state';
import { checkedInput, checkedStartInput } from './checked-input';
import {
  bookingWorkflowInputCheck,
  cancelChangeCheck,
  confirmChangeCheck,
  eraseParticipantRequestCheck,
  rescheduleChangeCheck,
  syncConnectionRequestCheck,
} from './input-checks';
import {
  cancelSignal,
  confirmSignal,
  eraseParticipantSignal,
  rescheduleSignal,
  stateQuery,
  syncConnectionSignal,
  type BookingMemo,
} from './messages';
import { sendInvitation } from './invitation-send';
import { emitNotification, reportAccountError } from './notification';
import { BookingStatusKey, ParticipantUserIdsKey, SyncStateKey } from './search-attributes';
import { withFreshToken } from './token-refresh';
import { VisibilityPublisher, type Visibility } from './visibility';
import { nowIso } from './workflow-clock';

/** A workflow that never received a confirm gives up after this. */
const WAIT_FOR_CONFIRM_MS = 60 * 60_000;
/** Keeps history small; continue-as-new well before Temporal's own limits. */
const MAX_HISTORY_EVENTS = 2_000;

export interface BookingWorkflowInput {
  bookingId: string;
  carried?: CarriedState;
  /** History length that triggers continue-as-new (tests lower it); default 2,000 events. */
  maxHistoryEvents?: number;
}

/** What the server shows of a booking: its status, sync state and participants, and the status as memo. */
function bookingVisibility(
  status: BookingStatus | undefined,
  syncState: string | undefined,
  participantUserIds: string[] | undefined,
): Visibility {
  const memo: Partial<BookingMemo> = { status };
  return {
    searchAttributes: [
      { key: BookingStatusKey, value: status ?? null },
      { key: SyncStateKey, value: syncState ?? null },
      { key: ParticipantUserIdsKey, value: participantUserIds ?? null },
    ],
    memo,
  };
}

/**
 * One workflow per booking (`booking:<bookingId>`), the only writer of that booking's events.
 * Signals change the desired state; the loop below reconciles every participant's calendars
 * towards it, so duplicated, reordered or late signals cannot create a second event or bring
 * back a cancelled one. Each calendar has its own lane (at most one operation in flight per
 * calendar, so writes to it stay in order), and lanes are independent: one provider that is
 * down for hours does not hold back the other participants' calendars.
 */
export async function bookingWorkflow(rawInput: BookingWorkflowInput): Promise<BookingView | null> {
  // Checked as the API checks its input, since anyone who can reach Temporal can start or signal
  // this workflow: a signal that does not parse is logged and ignored, a start input fails the run.
  const input = checkedStartInput('booking', bookingWorkflowInputCheck, rawInput);
  const state = new BookingState(input.bookingId, input.carried);
  setHandler(confirmSignal, (change) => {
    const checked = checkedInput('a confirm signal', confirmChangeCheck, change);
    if (checked) void state.confirm(checked);
  });
  setHandler(rescheduleSignal, (change) => {
    const checked = checkedInput('a reschedule signal', rescheduleChangeCheck, change);
    if (checked) void state.reschedule(checked);
  });
  setHandler(cancelSignal, (change) => {
    const checked = checkedInput('a cancel signal', cancelChangeCheck, change);
    if (checked) void state.cancel(checked);
  });
  setHandler(syncConnectionSignal, (request) => {
    const checked = checkedInput('a syncConnection signal', syncConnectionRequestCheck, request);
    if (checked) state.resync(checked.connectionId);
  });
  setHandler(eraseParticipantSignal, (request) => {
    const checked = checkedInput('an eraseParticipant signal', eraseParticipantRequestCheck, request);
    if (checked) state.eraseParticipant(checked.userId);
  });
  setHandler(stateQuery, () => state.view());

  // A workflow id can be reused once history is gone: the database remembers a cancellation.
  // A new workflow's first pass reads it along with its preparation.
  let priorUnread = !input.carried;

  // The API set these when it started the workflow (continue-as-new carries them over).
  const started = workflowInfo().typedSearchAttributes;
  const visibility = new VisibilityPublisher(
    bookingVisibility(
      started.get(BookingStatusKey) as BookingStatus | undefined,
      started.get(SyncStateKey),
      started.get(ParticipantUserIdsKey),
    ),
  );
  const publish = (): void => {
    const desired = state.desired;
    if (desired) visibility.publish(bookingVisibility(desired.status, state.syncState, state.participantUserIds));
  };

  const lanes = new Lanes(state);
  for (;;) {
    if (state.dirty) {
      const readPrior = priorUnread && state.desired !== null;
      if (readPrior) priorUnread = false;
      await reconcile(state, lanes, readPrior);
      publish();
      continue;
    }
    if (lanes.busy) {
      const finished = lanes.finished;
      await condition(() => state.dirty || lanes.finished !== finished);
      publish();
      continue;
    }
    const desired = state.desired;
    if (!desired) {
      if (!(await condition(() => state.dirty, WAIT_FOR_CONFIRM_MS))) return null;
      continue;
    }
    if (desired.status === 'cancelled' && state.settled) return state.view();
    const closeAt = Date.parse(desired.details.end) + KEEP_AFTER_END_MS;
    if (Date.now() >= closeAt) return state.view();
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS)) {
      await continueAsNew<typeof bookingWorkflow>({ ...input, carried: state.carry() });
    }
    await condition(() => state.dirty, closeAt - Date.now());
  }
}

/** A calendar's lane, and a participant's e-mail lane (a NUL byte never appears in ids). */
const calendarLane = (op: ReconcileOp): string => recordKey(op.userId, op.connectionId);
const mailLane = (userId: string): string => `mail\u0000${userId}`;

/** The operations in flight, one per calendar (and one per invitation recipient) at most. */
class Lanes {
  private readonly running = new Set<string>();
  /** Bumped whenever an operation ends, so the main loop can wake on it. */
  finished = 0;

  constructor(private readonly state: BookingState) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  start(key: string, revision: number, run: () => Promise<void>): void {
    this.running.add(key);
    this.state.operationStarted();
    void run().finally(() => {
      this.running.delete(key);
      this.finished += 1;
      // The booking changed while this ran: the state asks for another pass so this lane catches up.
      this.state.operationEnded(revision, this.busy);
    });
  }
}

/**
 * One level-triggered pass: save the booking, read the calendars, plan, and start an operation
 * in every idle lane that is behind. Busy lanes are planned again when they finish.
 */
async function reconcile(state: BookingState, lanes: Lanes, readPrior: boolean): Promise<void> {
  const desired = state.passStarted();
  if (!desired) return;
  const revision = state.revision;
  const booking = desired.details;
  const projection =
    state.savedRevision < revision
      ? {
          bookingId: state.bookingId,
          status: desired.status,
          version: state.version,
          revision,
          details: booking,
          cancelReason: desired.cancelReason,
        }
      : undefined;
  const input = { bookingId: state.bookingId, userIds: state.userIdsToResolve, projection };
  let targets: ReconcileTargets;
  if (readPrior) {
    // A prior is adopted (which marks the state changed) and nothing was saved: the loop plans
    // again from there.
    const first = await bookingStoreActivities.prepareFirstReconcile(input);
    if (first.prior) {
      state.adoptPrior(first.prior);
      state.passEnded(lanes.busy);
      return;
    }
    targets = first.targets;
  } else {
    targets = await bookingStoreActivities.prepareReconcile(input);
  }
  if (projection) state.savedAt(revision);
  // A change that arrived during the read is planned on the next pass.
  if (state.revision !== revision) {
    state.passEnded(lanes.busy);
    return;
  }
  for (const op of state.plan(targets.calendars, nowIso(), (planned) => lanes.has(calendarLane(planned)))) {
    lanes.start(calendarLane(op), revision, () => runOperation(state, op, revision, booking));
  }
  for (const op of state.planInvitations(targets.invitations, (userId) => lanes.has(mailLane(userId)))) {
    lanes.start(mailLane(op.userId), revision, () => sendInvitation(state, op, revision, booking));
  }
  state.passEnded(lanes.busy);
}

async function runOperation(state: BookingState, op: ReconcileOp, revision: number, booking: BookingDetails): Promise<void> {
  const base = {
    bookingId: state.bookingId,
    userId: op.userId,
    connectionId: op.connectionId,
    revision,
    knownExternalEventId: op.knownExternalEventId,
  };
  const result = await withFreshToken(op.connectionId, async (tokenJustRefreshed) => {
    if (op.kind === 'delete') {
      await activities.deleteCalendarEvent({ ...base, tokenJustRefreshed, calendarId: op.calendarId });
      return undefined;
    }
    // Moving to the calendar the user chose: take it out of the old one, then write it anew.
    if (op.moveFromCalendarId) await activities.deleteCalendarEvent({ ...base, tokenJustRefreshed, calendarId: op.moveFromCalendarId });
    return activities.upsertCalendarEvent({ ...base, tokenJustRefreshed, booking, knownCalendarId: op.knownCalendarId });
  });
  if (result.ok) {
    if (result.value) state.markUpserted(op, revision, result.value.externalEventId, result.value.calendarId, nowIso());
    else state.markDeleted(op, revision, nowIso());
    return;
  }
  const { failure } = result;
  switch (failure.type) {
    case FailureType.ReauthRequired:
      state.markAwaitingReauth(op, 'The calendar connection needs to be reconnected by its user.');
      return;
    case FailureType.ConnectionUnavailable:
      state.markSkipped(op, 'The calendar connection was removed.');
      return;
    case FailureType.TokenExpired:
      state.markFailed(op, 'The provider keeps refusing freshly refreshed access tokens.');
      break;
    default:
      // An AccountError too: written again when the account heals (its workflow's bulk sync asks).
      state.markFailed(op, failure.message);
  }
  await emitNotification('booking.sync_failed', {
    bookingId: state.bookingId,
    userId: op.userId,
    connectionId: op.connectionId,
    operation: op.kind,
    reason: failure.type ?? 'failed',
  });
  if (failure.type === FailureType.AccountError) await reportAccountError(op.userId, op.connectionId, failure);
}
