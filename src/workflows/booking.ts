import {
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BookingDetails, BookingView, CalendarTarget } from '../domain/booking';
import { FailureType } from '../domain/failures';
import { BookingState, recordKey, type CarriedState, type ReconcileOp } from './booking-state';
import {
  cancelSignal,
  confirmSignal,
  rescheduleSignal,
  stateQuery,
  syncConnectionSignal,
  type BookingMemo,
} from './messages';
import { BookingStatusKey, ParticipantUserIdsKey, SyncStateKey } from './search-attributes';
import { emitNotification } from './notification';
import { withFreshToken } from './token-refresh';

/**
 * Provider calls retry for as long as it takes (hours-long outages included), with capped
 * exponential backoff; Retry-After from the provider overrides the next delay.
 */
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

/**
 * The booking's own database reads and writes run as local activities: short, idempotent, and
 * in the worker that runs the workflow, so they cost no task round trip through the server
 * (the largest share of the engine's work per booking). Same unbounded retries.
 */
const db = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});
type DbActivities = Pick<Activities, 'prepareReconcile'>;

/** How long a booking's workflow stays open after the booking ended, for late changes. */
const KEEP_AFTER_END_MS = 24 * 60 * 60_000;
/** A workflow that never received a confirm gives up after this. */
const WAIT_FOR_CONFIRM_MS = 60 * 60_000;
/** Keeps history small; continue-as-new well before Temporal's own limits. */
const MAX_HISTORY_EVENTS = 2_000;

export interface BookingWorkflowInput {
  bookingId: string;
  carried?: CarriedState;
  /** History length that triggers continue-as-new (tests lower it); default 2,000 events. */
  maxHistoryEvents?: number;
  /**
   * Set by the API when it starts the workflow: database calls as local activities, no upsert
   * of search attributes the start already set. Histories from before it lack the flag and
   * replay the old way. (An input flag, not patched(): each patch id costs every workflow a
   * search attribute upsert, a visibility write on the server.)
   */
  lean?: boolean;
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}


/**
 * One workflow per booking (`booking:<bookingId>`), the only writer of that booking's events.
 * Signals change the desired state; the loop below reconciles every participant's calendars
 * towards it, so duplicated, reordered or late signals cannot create a second event or bring
 * back a cancelled one. Each calendar has its own lane (at most one operation in flight per
 * calendar, so writes to it stay in order), and lanes are independent: one provider that is
 * down for hours does not hold back the other participants' calendars.
 */
export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingView | null> {
  const state = new BookingState(input.bookingId, input.carried);
  const lean = input.lean === true;
  const dbActivities: DbActivities = lean ? db : acts;
  setHandler(confirmSignal, (c) => void state.confirm(c));
  setHandler(rescheduleSignal, (c) => void state.reschedule(c));
  setHandler(cancelSignal, (c) => void state.cancel(c));
  setHandler(syncConnectionSignal, (r) => state.resync(r.connectionId));
  setHandler(stateQuery, () => state.view());

  // A workflow id can be reused once history is gone: the database remembers a cancellation.
  // The lean path reads it with the first pass's preparation (one local activity, not two).
  let priorUnread = !input.carried;
  if (priorUnread && !lean) {
    const prior = await acts.loadBookingStatus(input.bookingId);
    if (prior) state.adoptPrior(prior);
    priorUnread = false;
  }

  const publishedKey = (status?: string, syncState?: string, userIds?: string[]): string => `${status}|${syncState}|${userIds?.join(',') ?? ''}`;
  // What the API set when it started the workflow needs no upsert (each one is a visibility write).
  // Older histories upserted at the first pass and the memo with every upsert: they replay so.
  const started = workflowInfo().typedSearchAttributes;
  let published = lean ? publishedKey(started.get(BookingStatusKey), started.get(SyncStateKey), started.get(ParticipantUserIdsKey)) : '';
  let publishedStatus = lean ? started.get(BookingStatusKey) : undefined;
  const publish = (): void => {
    const d = state.desired;
    if (!d) return;
    const key = publishedKey(d.status, state.syncState, state.participantUserIds);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: BookingStatusKey, value: d.status },
      { key: SyncStateKey, value: state.syncState },
      { key: ParticipantUserIdsKey, value: state.participantUserIds },
    ]);
    if (lean && d.status === publishedStatus) return;
    publishedStatus = d.status;
    const memo: BookingMemo = { status: d.status };
    upsertMemo({ ...memo });
  };

  const lanes = new Lanes(state);
  for (;;) {
    if (state.dirty) {
      const readPrior = priorUnread && state.desired !== undefined;
      if (readPrior) priorUnread = false;
      await reconcile(state, lanes, dbActivities, readPrior);
      publish();
      continue;
    }
    if (lanes.busy) {
      const finished = lanes.finished;
      await condition(() => state.dirty || lanes.finished !== finished);
      publish();
      continue;
    }
    const d = state.desired;
    if (!d) {
      if (!(await condition(() => state.dirty, WAIT_FOR_CONFIRM_MS))) return null;
      continue;
    }
    if (d.status === 'cancelled' && state.settled) return state.view();
    const closeAt = Date.parse(d.details.end) + KEEP_AFTER_END_MS;
    if (Date.now() >= closeAt) return state.view();
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS)) {
      await continueAsNew<typeof bookingWorkflow>({ ...input, carried: state.carry() });
    }
    await condition(() => state.dirty, closeAt - Date.now());
  }
}

/** The calendar operations in flight, one per calendar at most. */
class Lanes {
  private readonly running = new Set<string>();
  /** Bumped whenever an operation ends, so the main loop can wake on it. */
  finished = 0;

  constructor(private readonly state: BookingState) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  has(op: ReconcileOp): boolean {
    return this.running.has(recordKey(op.userId, op.connectionId));
  }

  start(op: ReconcileOp, revision: number, booking: BookingDetails): void {
    const key = recordKey(op.userId, op.connectionId);
    this.running.add(key);
    this.state.reconciling = true;
    void runOperation(this.state, op, revision, booking).finally(() => {
      this.running.delete(key);
      this.state.reconciling = this.running.size > 0;
      this.finished += 1;
      // The booking changed while this ran: plan again so this calendar catches up.
      if (this.state.revision !== revision) this.state.dirty = true;
    });
  }
}

/**
 * One level-triggered pass: save the booking, read the calendars, plan, and start an operation
 * in every idle lane that is behind. Busy lanes are planned again when they finish.
 */
async function reconcile(state: BookingState, lanes: Lanes, dbActivities: DbActivities, readPrior: boolean): Promise<void> {
  state.dirty = false;
  const d = state.desired;
  if (!d) return;
  const revision = state.revision;
  const booking = d.details;
  const projection =
    state.savedRevision < revision
      ? { bookingId: state.bookingId, status: d.status, version: state.version, revision, details: booking, cancelReason: d.cancelReason }
      : undefined;
  state.reconciling = true;
  const input = { bookingId: state.bookingId, userIds: state.userIdsToResolve, projection };
  let targets: CalendarTarget[];
  if (readPrior) {
    // A new workflow's first pass (lean path) also reads what the database remembers of the
    // booking, in the same local activity. A prior is adopted (which marks the state changed)
    // and nothing was saved: the loop plans again from there.
    const first = await db.prepareFirstReconcile(input);
    if (first.prior) {
      state.adoptPrior(first.prior);
      state.reconciling = lanes.busy;
      return;
    }
    targets = first.targets;
  } else {
    targets = await dbActivities.prepareReconcile(input);
  }
  if (projection) state.savedRevision = Math.max(state.savedRevision, revision);
  // A change that arrived during the read is planned on the next pass.
  if (state.revision !== revision) {
    state.reconciling = lanes.busy;
    return;
  }
  for (const op of state.plan(targets, nowIso(), (o) => lanes.has(o))) lanes.start(op, revision, booking);
  state.reconciling = lanes.busy;
}

async function runOperation(state: BookingState, op: ReconcileOp, revision: number, booking: BookingDetails): Promise<void> {
  const base = { bookingId: state.bookingId, userId: op.userId, connectionId: op.connectionId, revision, knownExternalEventId: op.knownExternalEventId };
  const result = await withFreshToken(op.connectionId, async (tokenJustRefreshed) => {
    if (op.kind === 'delete') {
      await acts.deleteCalendarEvent({ ...base, tokenJustRefreshed, calendarId: op.calendarId });
      return undefined;
    }
    // Moving to the calendar the user chose: take it out of the old one, then write it anew.
    if (op.moveFromCalendarId) await acts.deleteCalendarEvent({ ...base, tokenJustRefreshed, calendarId: op.moveFromCalendarId });
    return acts.upsertCalendarEvent({ ...base, tokenJustRefreshed, booking });
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
      state.markFailed(op, failure.message);
  }
  await emitNotification('booking.sync_failed', { bookingId: state.bookingId, userId: op.userId, connectionId: op.connectionId, operation: op.kind, reason: failure.type ?? 'failed' });
}
