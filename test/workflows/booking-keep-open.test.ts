import { describe, expect, it } from 'vitest';
import { bookingStubs, calendarOf, details, hourAfter, participant, startBooking, target, viewWhen } from './support/booking-fixtures';
import { runWorkflowWorker } from './support/workflow-worker';

/** How long a booking's workflow stays open after the booking ended (its documented behaviour). */
const KEEP_AFTER_END_MS = 24 * 60 * 60_000;

describe('booking workflow: the window after the booking ends', () => {
  it('stays open for late changes until a day after the end, then completes with the booking view', async () => {
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t')]), async (env) => {
      // Ended almost a day ago: the window closes seconds from now, after the first sync even on a
      // loaded machine (a sync is three workflow tasks and two activities).
      const closesAt = Date.now() + 12_000;
      const end = new Date(closesAt - KEEP_AFTER_END_MS).toISOString();
      const start = new Date(Date.parse(end) - 3_600_000).toISOString();
      const handle = await startBooking(env, env.id('window'), {
        version: 1,
        booking: details([participant('tutor', 'tutor')], start, end),
      });
      await viewWhen(handle, (v) => v.syncState === 'synced', 'synced');
      expect((await handle.describe()).status.name).toBe('RUNNING');

      const result = await handle.result();
      const closed = (await handle.describe()).closeTime?.getTime() ?? 0;
      expect(closed).toBeGreaterThanOrEqual(closesAt - 100);
      expect(closed).toBeLessThan(closesAt + 3_000);
      expect(result).toMatchObject({ status: 'confirmed', end, syncState: 'synced' });
      expect(result && calendarOf(result, 'conn-t')?.state).toBe('synced');
    });
  });

  it('writes a booking that ended over a day ago once, then completes at once', async () => {
    const start = new Date(Date.now() - KEEP_AFTER_END_MS - 2 * 3_600_000).toISOString();
    await runWorkflowWorker(bookingStubs([target('tutor', 'conn-t')]), async (env) => {
      const handle = await startBooking(env, env.id('past'), {
        version: 1,
        booking: details([participant('tutor', 'tutor')], start, hourAfter(start)),
      });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'confirmed', syncState: 'synced' });
      expect(env.callsOf('upsertCalendarEvent')).toHaveLength(1);
      const d = await handle.describe();
      expect((d.closeTime?.getTime() ?? Infinity) - d.startTime.getTime()).toBeLessThan(5_000);
    });
  });
});
