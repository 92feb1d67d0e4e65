import {
  ActivityFailure,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType } from '../domain/failures';
import { activities, busyReadActivities, disconnectCallActivities } from './activity-options';
import { bulkSyncWorkflow } from './bulk-sync';
import { reportBusyRead } from './busy-read-reports';
import { CalendarAccountState, type CarriedCalendarAccountState } from './calendar-account-state';
import { checkedInput, checkedStartInput } from './checked-input';
import { calendarAccountWorkflowInputCheck, connectedEventCheck, disconnectRequestCheck } from './input-checks';
import { bulkSyncWorkflowId, connectedSignal, disconnectSignal, refreshBusySignal, renewPushSignal } from './messages';
import { emitNotification, reportAccountError } from './notification';
import { removeAccountEvents } from './remove-events';
import { withFreshToken } from './token-refresh';

export interface CalendarAccountWorkflowInput extends CarriedCalendarAccountState {
  connectionId: string;
  userId: string;
  /** History length that triggers continue-as-new (WORKFLOW_MAX_HISTORY_EVENTS, tests lower it); default 1,000 events. */
  maxHistoryEvents?: number;
}

const MAX_HISTORY_EVENTS = 1_000;
/** Our own writes notify too: a burst of notifications (a bulk sync) becomes one read per gap. */
const MIN_BUSY_READ_GAP_MS = 5_000;

/**
 * One per calendar account (workflow id `connection:<connectionId>`), long-lived. On every connect or
 * reconnect it runs a bulk sync as a child; a reconnect during a bulk sync queues one more run,
 * which also re-drives the bookings left pending while the calendar account needed re-authentication.
 * Alongside, it keeps the calendar's busy times fresh: read at start, every poll interval, and
 * whenever `refreshBusy` is signalled; a read that goes through on an account in `error` heals it,
 * and a bulk sync then writes what failed meanwhile. A disconnect (optionally removing our events first) ends it.
 */
export async function connectionWorkflow(rawInput: CalendarAccountWorkflowInput): Promise<void> {
  // Checked as the API checks its input, since anyone who can reach Temporal can start or signal
  // this workflow: a signal that does not parse is logged and ignored, a start input fails the run.
  const input = checkedStartInput('connection', calendarAccountWorkflowInputCheck, rawInput);
  const { connectionId, userId } = input;
  const state = new CalendarAccountState(input, input.maxHistoryEvents ?? MAX_HISTORY_EVENTS);
  setHandler(connectedSignal, (event) => {
    if (checkedInput('a connected signal', connectedEventCheck, event)) state.connected();
  });
  setHandler(disconnectSignal, (request) => {
    const checked = checkedInput('a disconnect signal', disconnectRequestCheck, request);
    if (checked) state.disconnectRequested(checked);
  });
  setHandler(refreshBusySignal, () => state.busyReadAsked());
  setHandler(renewPushSignal, () => state.pushRenewalAsked());

  const continueAsNewIfDue = async (): Promise<void> => {
    if (state.canContinueAsNew(workflowInfo().historyLength))
      await continueAsNew<typeof connectionWorkflow>({ ...input, ...state.carry() });
  };

  /** One bulk sync, as a child. A disconnect cancels it: nothing more is to be written there. */
  const bulkSync = async (run: number): Promise<void> => {
    const scope = new CancellationScope();
    const child = scope.run(() =>
      executeChild(bulkSyncWorkflow, {
        workflowId: bulkSyncWorkflowId(connectionId, run),
        args: [{ connectionId, userId }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      }),
    );
    await Promise.race([child.catch(() => undefined), condition(() => state.disconnecting)]);
    if (state.disconnecting) scope.cancel();
    try {
      await child;
    } catch (err) {
      if (!(state.disconnecting && isCancellation(err))) throw err;
    }
  };

  const bulkSyncs = async (): Promise<void> => {
    for (;;) {
      await condition(() => state.bulkSyncDue || state.disconnecting);
      if (state.disconnecting) return;
      const { run, reconnect, announce } = state.bulkSyncStarted();
      try {
        if (announce) await emitNotification('connection.connected', { userId, connectionId, reconnect });
        await bulkSync(run);
      } finally {
        state.bulkSyncEnded();
      }
      await continueAsNewIfDue();
    }
  };

  // A token refresh under way in a loop gives way to a disconnect (the token endpoint may be down for hours).
  const untilDisconnect = { stop: () => state.disconnecting };

  const busyTimes = async (): Promise<void> => {
    const settings = await activities.busyTimeSettings();
    const { pollIntervalMs } = settings;
    const policy = settings.externalEditPolicy ?? 'respect';
    for (;;) {
      await condition(() => state.busyReadDue || state.disconnecting, pollIntervalMs);
      if (state.disconnecting) return;
      state.busyReadStarted();
      try {
        // A failure is recorded on the calendar account by the activity; the next poll tries again.
        const read = await withFreshToken(
          connectionId,
          (tokenJustRefreshed) => busyReadActivities.refreshBusyTimes({ connectionId, userId, tokenJustRefreshed }),
          untilDisconnect,
        );
        if (read.ok) await reportBusyRead(connectionId, read.value, policy);
        // The read went through on an account in error: the cause is gone, the failed writes are made again.
        if (read.ok && read.value.healed) state.healed();
        if (!read.ok && read.failure.type === FailureType.ReauthRequired && state.reauthRequired()) {
          await emitNotification('connection.needs_reauth', { userId, connectionId });
        }
        if (!read.ok && read.failure.type === FailureType.AccountError) await reportAccountError(userId, connectionId, read.failure);
      } finally {
        state.busyReadEnded();
      }
      await continueAsNewIfDue();
      await condition(() => state.disconnecting, MIN_BUSY_READ_GAP_MS);
    }
  };

  /**
   * Push: a channel is kept open on the calendar, replaced before it expires (the overlap is
   * normal), or at once when the provider removed it. Without push (CalDAV, or push off),
   * polling alone keeps busy times fresh.
   */
  const pushChannels = async (): Promise<void> => {
    for (;;) {
      state.pushChannelOpening();
      const opened = await withFreshToken(
        connectionId,
        (tokenJustRefreshed) => activities.openPushChannel({ connectionId, tokenJustRefreshed }),
        untilDisconnect,
      );
      if (!opened.ok) {
        // Refused (needs re-authentication, the provider could not reach us…): try again after a
        // while, or as soon as a reconnect asks; polling covers the gap.
        const retryIn = state.pushChannelRefused();
        await condition(() => state.disconnecting || state.pushRenewalDue, retryIn);
        if (state.disconnecting) return;
        continue;
      }
      const channel = opened.value;
      if (!channel.opened) return; // no push here: polling only
      await withFreshToken(
        connectionId,
        (tokenJustRefreshed) => activities.closePushChannels({ connectionId, keep: channel.channelId, tokenJustRefreshed }),
        untilDisconnect,
      );
      const renewIn = state.pushChannelOpened(channel.expiresAtMs, Date.now());
      await condition(() => state.disconnecting || state.pushRenewalDue, renewIn);
      if (state.disconnecting) return;
    }
  };

  await Promise.all([bulkSyncs(), busyTimes(), pushChannels()]);
  // Every loop ends on disconnect. Removing events and stopping channels need the tokens, so
  // the calendar account is finalised (revoked, erased) after. Each step ends even when the
  // calendar cannot be written any more: a disconnect always finishes, reporting what it left.
  const removal = state.removeEventsOnDisconnect ? await removeAccountEvents(connectionId) : undefined;
  try {
    await withFreshToken(
      connectionId,
      (tokenJustRefreshed) => disconnectCallActivities.closePushChannels({ connectionId, tokenJustRefreshed }),
      { refresher: disconnectCallActivities },
    );
  } catch (err) {
    // The provider did not answer in time: its channels expire by themselves, and notifications
    // for a disconnected account are ignored.
    if (!(err instanceof ActivityFailure)) throw err;
  }
  await activities.finalizeDisconnect({ connectionId, ...(removal ? { removal } : {}) });
}
