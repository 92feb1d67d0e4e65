import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { FailureType, type AccountErrorDetails } from '../../src/domain/failures';
import { eventually } from '../support/eventually';
import { bookingStubs, calendarOf, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { connectionStubs, startConnection } from './support/connection-fixtures';
import { runWorkflowWorker, type ActivityStubs } from './support/workflow-worker';

const T1 = '2030-04-01T09:00:00.000Z';
const NOTICE_ID = '6f1c2b7e-0a4d-5c3b-8e21-9d0f4a6b7c8d';
const MESSAGE = 'The calendar events are written to no longer exists. Choose another calendar for this account.';

function accountError(notificationId?: string): ApplicationFailure {
  const details: AccountErrorDetails = { kind: 'calendar_not_found', ...(notificationId ? { notificationId } : {}) };
  return ApplicationFailure.create({ type: FailureType.AccountError, message: MESSAGE, nonRetryable: true, details: [details] });
}

/** Notifications are on: every recorded one is delivered (and the test sees both). */
const notifying: ActivityStubs = {
  recordNotification: async () => ({ enabled: true, retryForMs: 60_000 }),
  deliverNotification: async () => undefined,
};

describe('calendar account health in the workflows', () => {
  it('a booking write failing on an account in error: the calendar is failed, and only the failure that began the episode sends connection.error', async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    let upserts = 0;
    const stubs = bookingStubs([target('tutor', 'conn-t'), target('client', 'conn-c')], {
      ...notifying,
      upsertCalendarEvent: async (input) => {
        if (input.connectionId !== 'conn-t') return { externalEventId: 'event-c', calendarId: 'primary', action: 'created' };
        upserts += 1;
        throw accountError(upserts === 1 ? NOTICE_ID : undefined);
      },
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startBooking(env, env.id('health'), { booking: details(people, T1, hourAfter(T1)) });
      const view = await viewWhen(handle, (v) => calendarOf(v, 'conn-t')?.state === 'failed', 'the failed calendar');
      expect(calendarOf(view, 'conn-t')).toMatchObject({ state: 'failed', lastError: MESSAGE });
      expect(view.syncState).toBe('degraded');
      await eventually(
        async () => (env.callsOf('recordNotification').some((c) => c.input.type === 'connection.error') ? true : undefined),
        'connection.error recorded',
      );
      const notice = env.callsOf('recordNotification').find((c) => c.input.type === 'connection.error')!;
      expect(notice.input).toEqual({
        id: NOTICE_ID,
        type: 'connection.error',
        data: { userId: 'tutor', connectionId: 'conn-t', reason: 'calendar_not_found', message: MESSAGE },
      });
      expect(env.callsOf('recordNotification').filter((c) => c.input.type === 'booking.sync_failed')).toHaveLength(1);
    });
  });

  it("a busy read on an account in error reports the episode's notice; a read that heals it brings the bookings in again, unannounced", async () => {
    let reads = 0;
    const stubs = connectionStubs({
      ...notifying,
      busyTimeSettings: async () => ({ pollIntervalMs: 100, externalEditPolicy: 'respect' }),
      refreshBusyTimes: async () => {
        reads += 1;
        if (reads === 1) throw accountError(NOTICE_ID);
        return { mode: 'full', cursorExpired: false, items: 0, edits: [], conflicts: [], healed: reads === 2 };
      },
      bulkSyncPage: async () => ({ active: true, bookingIds: [], ratePerSecond: 10 }),
      finishBulkSync: async () => ({ provider: null }),
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('finishBulkSync').length === 1 ? true : undefined), 'the bulk sync after the heal', 20_000);
      const types = env
        .callsOf('recordNotification')
        .filter((c) => c.input.type !== 'connection.bulk_sync_completed')
        .map((c) => [c.input.type, c.input.id]);
      expect(types).toEqual([['connection.error', NOTICE_ID]]);
      expect(env.callsOf('bulkSyncPage').map((c) => c.input.connectionId)).toEqual([handle.workflowId.replace(/^connection:/, '')]);
    });
  });
});
