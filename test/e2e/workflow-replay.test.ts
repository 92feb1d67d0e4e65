import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { encryptingDataConverter } from '../../src/temporal/data-converter';
import * as workflows from '../../src/workflows';
import { UserSubjects } from '../../src/crypto/user-subject';
import { retentionScheduleId } from '../../src/temporal/retention-schedule';
import {
  bookingWorkflowId,
  bulkSyncWorkflowId,
  calendarAccountWorkflowId,
  notificationWorkflowId,
  userErasureWorkflowId,
} from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, getBooking, settled, strip, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { FIXTURE_KEYS, FIXTURES, History, recordFixture, runHistory, scheduledActivities, type HistoryProto } from '../support/histories';
import { startNotifyReceiver } from '../support/notify-receiver';

/** This user's first connection.connected is refused (one notification workflow ends failed); its reconnect's is delivered. */
let refusedUser = '';
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
let h: Harness;
beforeAll(async () => {
  receiver = await startNotifyReceiver((n) => (n.data['userId'] === refusedUser && n.data['reconnect'] === false ? 500 : 200));
  h = await startHarness({ ENCRYPTION_KEYS: FIXTURE_KEYS, NOTIFY_URL: receiver.url, NOTIFY_RETRY_FOR: '3s' });
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const replayOptions = () => ({
  workflowBundle: { codePath: inject('workflowBundlePath') },
  dataConverter: encryptingDataConverter(h.config.encryptionKeys),
});

async function replay(history: HistoryProto, workflowId: string): Promise<void> {
  await Worker.runReplayHistory(replayOptions(), history, workflowId);
}

const workflowType = (history: HistoryProto): string | null | undefined =>
  history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

/**
 * Guards every workflow type against non-determinism: histories recorded from real runs
 * (committed under test/fixtures/histories as binary protobuf, plus ones made now) must replay
 * on the current code. A change that alters what a recorded history commands (an activity
 * added, removed or reordered) fails here with a nondeterminism error. `npm run record-histories`
 * re-records the fixtures from fresh runs (this file and continue-as-new.test.ts); the README's
 * "Workflow versioning" says when that is allowed and when a change needs `patched()` instead.
 */
describe('bookingWorkflow replay', () => {
  it('replays fresh histories of a full lifecycle with a token refresh and a provider failure', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('replay');
    await h.google.addFault({ method: 'POST', path: '/events', account: client.calendar, status: 503, reason: 'backendError', times: 1 });
    expect(
      (await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)], { version: 1 }))).status,
    ).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    await h.google.expireAccessTokens(tutor.calendar);
    await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, { version: 2, start: '2030-05-03T10:00:00Z', end: '2030-05-03T11:00:00Z' });
    await settled(h, bookingId, (v) => v.start === '2030-05-03T10:00:00Z');
    await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { version: 3 });
    await eventually(
      async () => ((await getBooking(h, bookingId)).calendars.every((c) => c.state === 'deleted') ? true : undefined),
      'cancel',
    );

    const handle = h.service.client.workflow.getHandle(bookingWorkflowId(bookingId));
    await handle.result();
    const history = History.fromObject(await handle.fetchHistory());
    expect(scheduledActivities(history)).toEqual(
      expect.arrayContaining(['upsertCalendarEvent', 'refreshAccessToken', 'deleteCalendarEvent']),
    );
    await replay(history, bookingWorkflowId(bookingId));
    await recordFixture('booking-lifecycle', history);
  });

  it('replays fresh histories of a connection (bulk syncs, busy reads, removing events, disconnect) and of its bulk sync and notifications', async () => {
    const userId = h.id('replay-conn');
    refusedUser = userId;
    // A booking from before the connect, for the bulk sync to bring in and the disconnect to remove.
    const bookingId = h.id('replay-bulk');
    const p: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([p]))).status).toBe(202);
    await eventually(
      async () => (await h.pool.query('SELECT 1 FROM bookings WHERE booking_id = $1', [bookingId])).rowCount === 1 || undefined,
      'booking saved',
    );
    const { connectionId, email } = await h.connectGoogle(userId);
    const workflowId = calendarAccountWorkflowId(connectionId);
    await settled(h, bookingId, (v) => v.calendars.some((c) => c.state === 'synced'));
    await h.connectGoogle(userId, email);
    await eventually(
      async () => h.service.client.workflow.getHandle<typeof workflows.bulkSyncWorkflow>(bulkSyncWorkflowId(connectionId, 2)).result(),
      "the reconnect's bulk sync",
    );
    expect((await h.api('DELETE', `/v1/users/${userId}/connections/${connectionId}?removeEvents=true`)).status).toBe(202);
    await h.service.client.workflow.getHandle(workflowId).result();
    expect(await eventsFor(h, email, bookingId)).toHaveLength(0);

    const accountHistory = await runHistory(h.service.client, workflowId);
    expect(scheduledActivities(accountHistory)).toEqual(
      expect.arrayContaining([
        'busyTimeSettings',
        'refreshBusyTimes',
        'recordNotification',
        'eventsToRemove',
        'closePushChannels',
        'finalizeDisconnect',
      ]),
    );
    const bulk = await runHistory(h.service.client, bulkSyncWorkflowId(connectionId, 1));
    expect(scheduledActivities(bulk)).toEqual(['bulkSyncPage', 'finishBulkSync', 'recordNotification']);
    expect(bulk.events.some((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes != null)).toBe(true);

    // The connect's notification was refused until NOTIFY_RETRY_FOR ran out; the reconnect's was delivered.
    const about = (reconnect: boolean) =>
      receiver.received.find(
        (n) => n.type === 'connection.connected' && n.data['connectionId'] === connectionId && n.data['reconnect'] === reconnect,
      )?.id;
    const failedId = await eventually(() => about(false), 'a refused delivery');
    const deliveredId = await eventually(() => about(true), 'a delivery');
    const failed = h.service.client.workflow.getHandle(notificationWorkflowId(failedId));
    await failed.result();
    const failedHistory = await runHistory(h.service.client, notificationWorkflowId(failedId));
    expect(scheduledActivities(failedHistory)).toEqual(['deliverNotification', 'markNotificationFailed']);
    await h.service.client.workflow.getHandle(notificationWorkflowId(deliveredId)).result();
    const deliveredHistory = await runHistory(h.service.client, notificationWorkflowId(deliveredId));
    expect(scheduledActivities(deliveredHistory)).toEqual(['deliverNotification']);

    for (const [name, history] of [
      ['connection-lifecycle', accountHistory],
      ['bulk-sync', bulk],
      ['notification-failed', failedHistory],
      ['notification-delivered', deliveredHistory],
    ] as const) {
      await replay(history, `fresh-${name}`);
      await recordFixture(name, history);
    }
  });

  it('replays fresh histories of a user erasure (an account disconnected, a booking told) and of a retention run', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('replay-erase');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)]))).status).toBe(202);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    expect([200, 202]).toContain((await h.api('DELETE', `/v1/users/${tutor.userId}?removeEvents=true`)).status);
    const erasureId = userErasureWorkflowId(new UserSubjects(h.config.encryptionKeys).current(tutor.userId).hash);
    await h.service.client.workflow.getHandle<typeof workflows.userErasureWorkflow>(erasureId).result();
    const erasure = await runHistory(h.service.client, erasureId);
    expect(scheduledActivities(erasure)).toEqual([
      'beginUserErasure',
      'stopUserAccounts',
      ...scheduledActivities(erasure).filter((a) => a === 'userAccountsLeft'),
      'userBookingIds',
      'eraseUserRows',
    ]);
    expect(erasure.events.some((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes != null)).toBe(true);

    const schedule = h.service.client.schedule.getHandle(retentionScheduleId(h.config.temporal.taskQueue));
    await schedule.trigger();
    const run = await eventually(async () => (await schedule.describe()).info.recentActions.at(-1), 'the retention run');
    const retentionId = run.action.workflow.workflowId;
    await h.service.client.workflow.getHandle<typeof workflows.retentionWorkflow>(retentionId).result();
    const retention = await runHistory(h.service.client, retentionId);
    expect(scheduledActivities(retention)).toEqual(expect.arrayContaining(['deleteRetainedBatch']));

    for (const [name, history] of [
      ['user-erasure', erasure],
      ['retention', retention],
    ] as const) {
      await replay(history, `fresh-${name}`);
      await recordFixture(name, history);
    }
  });

  it('replays every committed history fixture, and there is one of every workflow type', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.binpb'));
    const histories = await Promise.all(
      files.map(async (file) => ({ workflowId: `fixture-${file}`, history: History.decode(await readFile(path.join(FIXTURES, file))) })),
    );
    expect(new Set(histories.map((f) => workflowType(f.history)))).toEqual(new Set(Object.keys(workflows)));
    const results = [];
    for await (const result of Worker.runReplayHistories(replayOptions(), histories)) results.push(result);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`)).toEqual([]);
    expect(results).toHaveLength(files.length);
  });
});
