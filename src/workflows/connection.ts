import { CancellationScope, condition, continueAsNew, executeChild, isCancellation, getExternalWorkflowHandle, ParentClosePolicy, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BusyReadReport, ExternalEditPolicy } from '../activities/busy-times';
import type { Activities } from '../activities';
import { bulkSyncWorkflow } from './bulk-sync';
import { bookingWorkflowId, bulkSyncWorkflowId, connectedSignal, syncConnectionSignal, disconnectSignal, refreshBusySignal, renewPushSignal, type DisconnectRequest } from './messages';
import { FailureType } from '../domain/failures';
import { emitNotification } from './notification';
import { removeConnectionEvents } from './remove-events';
import { withFreshToken } from './token-refresh';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

export interface ConnectionWorkflowInput {
  connectionId: string;
  userId: string;
  /** Bulk syncs started so far (carried across continue-as-new, names the next child). */
  bulkSyncRuns?: number;
  /** A (re)connect arrived that no bulk sync has handled yet. */
  bulkSyncPending?: boolean;
  /** `connection.needs_reauth` was sent and no reconnect has happened since. */
  reauthNotified?: boolean;
  /** History length that triggers continue-as-new (WORKFLOW_MAX_HISTORY_EVENTS, tests lower it); default 1,000 events. */
  maxHistoryEvents?: number;
}

const MAX_HISTORY_EVENTS = 1_000;
const MIN_BUSY_READ_GAP_MS = 5_000;
const PUSH_RETRY_BASE_MS = 60_000;
const PUSH_RETRY_MAX_MS = 6 * 3_600_000;

/**
 * One per connected calendar (`connection:<connectionId>`), long-lived. On every connect or
 * reconnect it runs a bulk sync as a child; a reconnect during a bulk sync queues one more run,
 * which also re-drives the bookings left pending while the connection needed re-authentication.
 * Alongside, it keeps the calendar's busy times fresh: read at start, every poll interval, and
 * whenever `refreshBusy` is signalled. A disconnect (optionally removing our events first) ends it.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<void> {
  let runs = input.bulkSyncRuns ?? 0;
  let pending = input.bulkSyncPending ?? false;
  let bulkRunning = false;
  let reauthNotified = input.reauthNotified ?? false;
  let busyRequested = true;
  let renewRequested = false;
  let disconnect: DisconnectRequest | undefined;
  setHandler(connectedSignal, () => {
    pending = true;
    // A reconnect may follow a re-authentication, or a change of calendar: read busy times
    // again and watch the (possibly new) calendar at once.
    busyRequested = true;
    renewRequested = true;
  });
  setHandler(disconnectSignal, (request) => {
    disconnect = request;
  });
  setHandler(refreshBusySignal, () => {
    busyRequested = true;
  });
  setHandler(renewPushSignal, () => {
    renewRequested = true;
    // Notifications may have been lost meanwhile.
    busyRequested = true;
  });
  // Never with a disconnect, a bulk sync or a busy read still to handle: the next run would not know of it.
  const canContinueAsNew = () =>
    disconnect === undefined && !pending && !bulkRunning && !busyRequested && workflowInfo().historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS);
  const carryOn = () => continueAsNew<typeof connectionWorkflow>({ ...input, bulkSyncRuns: runs, bulkSyncPending: pending, reauthNotified });

  /** One bulk sync, as a child. A disconnect cancels it: nothing more is to be written there. */
  const bulkSync = async (run: number): Promise<void> => {
    const child = () =>
      executeChild(bulkSyncWorkflow, {
        workflowId: bulkSyncWorkflowId(input.connectionId, run),
        args: [{ connectionId: input.connectionId, userId: input.userId }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
    // Patched: histories recorded before, where a disconnect waited for the bulk sync to end, replay unchanged.
    if (!patched('bulk-sync-cancel-on-disconnect')) {
      await child();
      return;
    }
    const scope = new CancellationScope();
    const running = scope.run(child);
    await Promise.race([running.catch(() => undefined), condition(() => disconnect !== undefined)]);
    if (disconnect) scope.cancel();
    try {
      await running;
    } catch (err) {
      if (!(disconnect && isCancellation(err))) throw err;
    }
  };

  const bulkSyncs = async (): Promise<void> => {
    for (;;) {
      await condition(() => pending || disconnect !== undefined);
      if (disconnect) return;
      pending = false;
      bulkRunning = true;
      runs += 1;
      reauthNotified = false;
      try {
        await emitNotification('connection.connected', { userId: input.userId, connectionId: input.connectionId, reconnect: runs > 1 });
        await bulkSync(runs);
      } finally {
        bulkRunning = false;
      }
      if (canContinueAsNew()) await carryOn();
    }
  };

  /**
   * Tells the booking system what a read found (each edit and conflict once: stable ids), and
   * under `restore` has the booking's workflow write the event again: it is the only writer.
   */
  const report = async (read: BusyReadReport, policy: ExternalEditPolicy): Promise<void> => {
    const edits = read.edits ?? [];
    const conflicts = read.conflicts ?? [];
    if (edits.length === 0 && conflicts.length === 0) return;
    for (const e of edits) {
      const type = e.state === 'removed_externally' ? 'booking.removed_externally' : 'booking.moved_externally';
      await emitNotification(type, { bookingId: e.bookingId, userId: e.userId, connectionId: input.connectionId, policy }, e.notificationId);
      if (policy === 'restore') {
        // A booking whose workflow has ended (long past) is not restored.
        await getExternalWorkflowHandle(bookingWorkflowId(e.bookingId)).signal(syncConnectionSignal, { connectionId: input.connectionId }).catch(() => undefined);
      }
    }
    for (const c of conflicts) {
      await emitNotification('booking.conflict_detected', { bookingId: c.bookingId, userId: c.userId, connectionId: input.connectionId, busyStart: c.busyStart, busyEnd: c.busyEnd }, c.notificationId);
    }
    await acts.markBusyReportsSent({ connectionId: input.connectionId, edits, conflicts });
  };

  const busyTimes = async (): Promise<void> => {
    const settings = await acts.busyTimeSettings();
    const { pollIntervalMs } = settings;
    const policy = settings.externalEditPolicy ?? 'respect';
    for (;;) {
      await condition(() => busyRequested || disconnect !== undefined, pollIntervalMs);
      if (disconnect) return;
      busyRequested = false;
      // A failure is recorded on the connection by the activity; the next poll tries again.
      const read = await withFreshToken(input.connectionId, (tokenJustRefreshed) => acts.refreshBusyTimes({ connectionId: input.connectionId, userId: input.userId, tokenJustRefreshed }));
      // Patched: histories recorded before reports existed replay without them.
      if (read.ok && patched('busy-read-reports')) await report(read.value, policy);
      // Once per episode: the next connect (the user re-authorizing) resets it.
      if (!read.ok && read.failure.type === FailureType.ReauthRequired && !reauthNotified) {
        reauthNotified = true;
        await emitNotification('connection.needs_reauth', { userId: input.userId, connectionId: input.connectionId });
      }
      if (canContinueAsNew()) await carryOn();
      // Our own writes notify too: a burst of notifications (a bulk sync) becomes one read per gap.
      await condition(() => disconnect !== undefined, MIN_BUSY_READ_GAP_MS);
    }
  };

  /**
   * Push: a channel is kept open on the calendar, replaced when a fifth of its life is left
   * (Google channels cannot be renewed; the overlap is normal), or at once when the provider
   * removed it. Without push (CalDAV, or push off), polling alone keeps busy times fresh.
   */
  const pushChannels = async (): Promise<void> => {
    for (let failures = 0; ; ) {
      renewRequested = false;
      const opened = await withFreshToken(input.connectionId, (tokenJustRefreshed) => acts.openPushChannel({ connectionId: input.connectionId, tokenJustRefreshed }));
      if (!opened.ok) {
        // Refused (needs re-authentication, the provider could not reach us…): try again after a
        // while, or as soon as a reconnect asks; polling covers the gap.
        failures += 1;
        await condition(() => disconnect !== undefined || renewRequested, Math.min(PUSH_RETRY_MAX_MS, PUSH_RETRY_BASE_MS * 2 ** Math.min(failures, 10)));
        if (disconnect) return;
        continue;
      }
      const channel = opened.value;
      if (!channel.opened) return; // no push here: polling only
      failures = 0;
      const { channelId, expiresAtMs } = channel;
      await withFreshToken(input.connectionId, (tokenJustRefreshed) => acts.closePushChannels({ connectionId: input.connectionId, keep: channelId, tokenJustRefreshed }));
      const renewIn = Math.max(1_000, Math.floor((expiresAtMs - Date.now()) * 0.8));
      await condition(() => disconnect !== undefined || renewRequested, renewIn);
      if (disconnect) return;
    }
  };

  await Promise.all([bulkSyncs(), busyTimes(), pushChannels()]);
  // Every loop ends on disconnect. Removing events and stopping channels need the tokens, so
  // the connection is finalised (revoked, erased) after.
  if (disconnect?.removeEvents) await removeConnectionEvents(input.connectionId);
  await withFreshToken(input.connectionId, (tokenJustRefreshed) => acts.closePushChannels({ connectionId: input.connectionId, tokenJustRefreshed }));
  await acts.finalizeDisconnect({ connectionId: input.connectionId });
}
