import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingView } from '../../src/domain/booking';
import type { bookingWorkflow } from '../../src/workflows/booking';
import type { bulkSyncWorkflow } from '../../src/workflows/bulk-sync';
import { bookingWorkflowId, bulkSyncWorkflowId, calendarAccountWorkflowId } from '../../src/workflows/messages';
import { confirmBody, connectedPair, eventsFor, settled, strip, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { FIXTURE_KEYS, recordFixture, runHistory, scheduledActivities, type HistoryProto } from '../support/histories';
import { startNotifyReceiver } from '../support/notify-receiver';

/**
 * Continue-as-new of the long-lived workflows, started exactly as the service starts them (the
 * booking through POST /confirm, the connection through the OAuth flow) with a history limit
 * low enough to be reached in seconds. Fixtures are recorded under the replay test's key.
 */
let h: Harness;
let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
beforeAll(async () => {
  receiver = await startNotifyReceiver();
  h = await startHarness({
    WORKFLOW_MAX_HISTORY_EVENTS: '20',
    NOTIFY_URL: receiver.url,
    BUSY_POLL_INTERVAL: '2s',
    // Bulk syncs pace at one booking a second: a bulk sync of a few bookings runs long enough
    // for a reconnect to arrive during it.
    GOOGLE_QUOTA_PER_USER_PER_MINUTE: '60',
    ENCRYPTION_KEYS: FIXTURE_KEYS,
  });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

const runIdOf = async (workflowId: string): Promise<string> => (await h.service.client.workflow.getHandle(workflowId).describe()).runId;

function endsInContinueAsNew(history: HistoryProto): boolean {
  return history.events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes != null;
}

/** The histories of the runs that followed `first`, in order, up to the current one. */
async function runsAfter(workflowId: string, first: HistoryProto): Promise<HistoryProto[]> {
  const runs: HistoryProto[] = [];
  for (let run = first; ;) {
    const next = run.events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    run = await runHistory(h.service.client, workflowId, next);
    runs.push(run);
  }
}

describe('booking workflow continue-as-new, as the API starts it', () => {
  it('carries version and calendar events into the new run, which reads no prior state; later changes still apply', async () => {
    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('long');
    const workflowId = bookingWorkflowId(bookingId);
    expect(
      (await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)], { version: 1 }))).status,
    ).toBe(202);
    const firstRunId = await runIdOf(workflowId);
    await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    for (let day = 10; day < 12; day++) {
      expect(
        (
          await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
            version: day,
            start: `2030-05-${day}T15:00:00Z`,
            end: `2030-05-${day}T16:00:00Z`,
          })
        ).status,
      ).toBe(202);
      await settled(h, bookingId, (v) => v.start === `2030-05-${day}T15:00:00Z`);
    }
    const first = await runHistory(h.service.client, workflowId, firstRunId);
    expect(endsInContinueAsNew(first)).toBe(true);
    await recordFixture('booking-continue-as-new', first);

    // A change after continue-as-new: planned and written by the new run, which reads no prior
    // state (the carried state is its start).
    expect(
      (
        await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
          version: 20,
          start: '2030-05-20T15:00:00Z',
          end: '2030-05-20T16:00:00Z',
        })
      ).status,
    ).toBe(202);
    const view: BookingView = await settled(h, bookingId, (v) => v.start === '2030-05-20T15:00:00Z');
    expect(view.version).toBe(20);
    expect(view.calendars.filter((c) => c.state === 'synced')).toHaveLength(2);
    const later = await runsAfter(workflowId, first);
    const laterActivities = later.flatMap(scheduledActivities);
    expect(laterActivities).toContain('upsertCalendarEvent');
    expect(laterActivities).toContain('prepareReconcile');
    expect(laterActivities).not.toContain('prepareFirstReconcile');
    for (const email of [tutor.calendar, client.calendar]) {
      const events = await eventsFor(h, email, bookingId, true);
      expect(events).toHaveLength(1);
      expect(Date.parse(events[0]!.start.dateTime!)).toBe(Date.parse('2030-05-20T15:00:00Z'));
    }
    // What the API reads without a worker (memo, search attributes) came across too.
    const described = await h.service.client.workflow.getHandle(workflowId).describe();
    expect(described.memo).toMatchObject({ status: 'confirmed' });
    expect(described.searchAttributes).toMatchObject({ BookingStatus: ['confirmed'], SyncState: ['synced'] });

    // An older change is still ignored by the new run, and a cancel ends it with both events removed.
    expect(
      (
        await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
          version: 3,
          start: '2030-06-01T15:00:00Z',
          end: '2030-06-01T16:00:00Z',
        })
      ).status,
    ).toBe(202);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { version: 21 })).status).toBe(202);
    const result = await h.service.client.workflow.getHandle<typeof bookingWorkflow>(workflowId).result();
    expect(result).toMatchObject({ status: 'cancelled', version: 20, start: '2030-05-20T15:00:00Z' });
    for (const email of [tutor.calendar, client.calendar]) expect(await eventsFor(h, email, bookingId)).toHaveLength(0);
    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, {})).status).toBe(202);
  });
});

describe('connection workflow continue-as-new', () => {
  it('a reconnect during a bulk sync gets its own bulk sync, and bulk syncs after continue-as-new go on counting', async () => {
    const userId = h.id('bulk-can');
    const p: TestParticipant = { userId, role: 'tutor', name: 'Ada', email: 'ada@example.com' };
    // Bookings from before the user connected a calendar: every bulk sync brings them in.
    const bookingIds = [11, 12, 13, 14].map((day) => ({ id: h.id(`b${day}`), day }));
    for (const { id, day } of bookingIds) {
      expect(
        (
          await h.api(
            'POST',
            `/v1/bookings/${id}/confirm`,
            confirmBody([p], { start: `2030-07-${day}T09:00:00Z`, end: `2030-07-${day}T10:00:00Z` }),
          )
        ).status,
      ).toBe(202);
    }
    await eventually(
      async () =>
        (await h.pool.query('SELECT 1 FROM bookings WHERE booking_id = ANY($1)', [bookingIds.map((b) => b.id)])).rowCount === 4 ||
        undefined,
      'bookings saved',
    );

    const { connectionId, email } = await h.connectGoogle(userId);
    const workflowId = calendarAccountWorkflowId(connectionId);
    const firstRunId = await runIdOf(workflowId);
    const bulk = (run: number) => h.service.client.workflow.getHandle<typeof bulkSyncWorkflow>(bulkSyncWorkflowId(connectionId, run));
    await eventually(async () => (await bulk(1).describe()).status.name === 'RUNNING' || undefined, 'first bulk sync running');
    await h.connectGoogle(userId, email);
    expect(await bulk(1).result()).toEqual({ done: 4 });
    expect(await eventually(async () => bulk(2).result(), 'second bulk sync')).toEqual({ done: 4 });

    // The reconnect really arrived while the first bulk sync ran (else this test proves nothing).
    const first = await eventually(async () => {
      const history = await runHistory(h.service.client, workflowId, firstRunId);
      return endsInContinueAsNew(history) ? history : undefined;
    }, 'the first run to continue as new');
    const firstDone = first.events.findIndex(
      (e) => e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId === bulkSyncWorkflowId(connectionId, 1),
    );
    const connectedBefore = first.events
      .slice(0, firstDone)
      .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'connected');
    expect(firstDone).toBeGreaterThan(0);
    expect(connectedBefore).toHaveLength(2);
    await recordFixture('connection-continue-as-new', first);

    // A later run counts on from the runs before it: the next bulk sync is the third.
    expect(await runIdOf(workflowId)).not.toBe(firstRunId);
    await h.connectGoogle(userId, email);
    const third = await eventually(async () => bulk(3).result(), 'third bulk sync');
    expect(third).toEqual({ done: 4 });
    const connected = await eventually(() => {
      const got = receiver.received.filter((n) => n.type === 'connection.connected' && n.data['connectionId'] === connectionId);
      return got.length >= 3 ? got : undefined;
    }, 'three connection.connected notifications');
    expect(connected.map((n) => n.data['reconnect'])).toEqual([false, true, true]);
    for (const { id } of bookingIds) {
      await settled(h, id, (v) => v.calendars.some((c) => c.state === 'synced'));
      expect(await eventsFor(h, email, id, true)).toHaveLength(1);
    }
  });

  it('sends connection.needs_reauth once per episode, not again from a run after continue-as-new', async () => {
    const userId = h.id('reauth-can');
    const { connectionId, email } = await h.connectGoogle(userId);
    const workflowId = calendarAccountWorkflowId(connectionId);
    await h.google.revoke(email);
    await h.google.expireAccessTokens(email);
    const notices = async (): Promise<number> =>
      Number(
        (
          await h.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM notifications WHERE type = 'connection.needs_reauth' AND data->>'connectionId' = $1`,
            [connectionId],
          )
        ).rows[0]!.n,
      );
    await eventually(async () => (await notices()) > 0 || undefined, 'needs_reauth recorded');
    const noticeSeenIn = await runIdOf(workflowId);

    // A later run read the calendar again, failed, and went on (to wait for its next read, or to
    // continue as new): by then it has decided about a notice, which it records before going on.
    const decided = (run: HistoryProto): boolean => {
      const events = run.events;
      const read = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'refreshBusyTimes');
      const closed = events.findIndex(
        (e) =>
          read &&
          (e.activityTaskFailedEventAttributes ?? e.activityTaskCompletedEventAttributes)?.scheduledEventId?.toString() ===
            read.eventId?.toString(),
      );
      return (
        closed > 0 &&
        events.slice(closed).some((e) => e.timerStartedEventAttributes != null || e.workflowExecutionContinuedAsNewEventAttributes != null)
      );
    };
    await eventually(
      async () => (await runsAfter(workflowId, await runHistory(h.service.client, workflowId, noticeSeenIn))).some(decided) || undefined,
      'a failed busy read in a later run',
      // Two or three busy-read rounds (a 2 s poll and a 5 s gap each) fill a run's history.
      120_000,
    );
    expect(await notices()).toBe(1);
    const delivered = await eventually(() => {
      const got = receiver.received.filter((n) => n.type === 'connection.needs_reauth' && n.data['connectionId'] === connectionId);
      return got.length > 0 ? got : undefined;
    }, 'needs_reauth delivered');
    expect(delivered).toHaveLength(1);
  });
});
