import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';
import { rescheduleSignal } from '../../src/workflows/messages';
import { bookingStubs, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

const T1 = '2030-05-01T08:00:00.000Z';
const T2 = '2030-05-02T08:00:00.000Z';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('booking workflow: calendar writes that finish during a slow database read', () => {
  it('replays the history it wrote', { timeout: 120_000 }, async () => {
    const people = [participant('tutor', 'tutor'), participant('client')];
    const targets = [target('tutor', 'conn-t'), target('client', 'conn-c')];
    const history = await runWorkflowWorker(
      bookingStubs(targets, {
        // The reschedule's read takes longer than 80 % of the 10 s workflow task timeout: the two
        // calendar writes of the confirm finish while it runs. (As a local activity, the SDK then
        // heartbeats the task and the writes reach the workflow before the read's result, while a
        // replay delivers the result first: the replay planned no write and failed.)
        prepareReconcile: async () => {
          await sleep(9_000);
          return { calendars: targets, invitations: 'off' };
        },
        upsertCalendarEvent: async (input) => {
          await sleep(input.revision === 1 ? 1_500 : 0);
          return { externalEventId: `event-${input.connectionId}`, calendarId: 'primary', action: 'created' };
        },
      }),
      async (env) => {
        const handle = await startBooking(env, env.id('slow-read'), { version: 1, booking: details(people, T1, hourAfter(T1)) });
        await viewWhen(handle, (v) => v.calendars.length === 2, 'the confirm planned');
        await handle.signal(rescheduleSignal, { version: 2, start: T2, end: hourAfter(T2) });
        await viewWhen(handle, (v) => v.start === T2 && v.syncState === 'synced', 'the reschedule synced', 90_000);
        return handle.fetchHistory();
      },
    );
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } },
      history,
    );
    const events = history.events ?? [];
    const completedAt = (type: string) =>
      events
        .filter((e) => e.activityTaskCompletedEventAttributes)
        .filter((e) => {
          const scheduled = events.find((s) => String(s.eventId) === String(e.activityTaskCompletedEventAttributes!.scheduledEventId));
          return scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === type;
        })
        .map((e) => Number(e.eventId));
    // The scenario happened: both first writes completed before the reschedule's read did.
    const [rescheduleRead] = completedAt('prepareReconcile');
    const [firstWrite, secondWrite] = completedAt('upsertCalendarEvent');
    expect(rescheduleRead).toBeGreaterThan(Math.max(firstWrite!, secondWrite!));
    expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  });
});
