import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { EventToRemove } from '../../src/domain/booking';
import { FailureType } from '../../src/domain/failures';
import { disconnectSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { connectionStubs, startConnection, type ConnectionHandle } from './support/connection-fixtures';
import { Gate, runWorkflowWorker, type WorkflowTestEnv } from './support/workflow-worker';

/** Resolves with the workflow's result, or rejects if it has not ended within `ms`. */
async function endsWithin(handle: ConnectionHandle, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`the workflow did not end within ${ms} ms`)), ms)),
  );
  try {
    await Promise.race([handle.result(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The runs the workflow went through, from its busy-time setting reads (one per run). */
const runs = (env: WorkflowTestEnv) => env.callsOf('busyTimeSettings').length;

describe('connection workflow: disconnect and continue-as-new', () => {
  it('does not continue as new with a disconnect that arrived during a busy read: it removes events and finalises', async () => {
    const thirdRead = new Gate();
    let reads = 0;
    const stubs = connectionStubs({
      refreshBusyTimes: async () => {
        reads += 1;
        if (reads === 3) await thirdRead.pass();
        return { mode: 'full', cursorExpired: false, items: 0, edits: [], conflicts: [] };
      },
    });
    await runWorkflowWorker(stubs, async (env) => {
      // Past the limit after every read: each run continues as new once its read is done.
      const handle = await startConnection(env, { maxHistoryEvents: 1 });
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 3 ? true : undefined), 'the third run reading');
      expect(runs(env)).toBe(3);

      await handle.signal(disconnectSignal, { removeEvents: true });
      thirdRead.open();
      await endsWithin(handle, 10_000);

      expect(runs(env)).toBe(3);
      expect(env.callsOf('refreshBusyTimes')).toHaveLength(3);
      expect(env.callsOf('eventsToRemove')).toHaveLength(1);
      expect(env.callsOf('finalizeDisconnect')).toHaveLength(1);
      const lastClose = env.callsOf('closePushChannels').at(-1);
      expect(lastClose?.input.keep).toBeUndefined();
    });
  });

  it('a token refresh retried for ever (the token endpoint down) gives way to a disconnect: the disconnect finishes', async () => {
    const expired = ApplicationFailure.create({
      type: FailureType.TokenExpired,
      message: 'access token expired',
      nonRetryable: true,
      details: [{ tokenVersion: 1 }],
    });
    const stubs = connectionStubs({
      // Polled at once, so the first read meets the expired token.
      busyTimeSettings: async () => ({ pollIntervalMs: 50, externalEditPolicy: 'respect' }),
      refreshBusyTimes: async () => {
        throw expired;
      },
      // The token endpoint does not answer: Temporal retries the refresh with no end.
      refreshAccessToken: async () => {
        throw new Error('token endpoint unreachable');
      },
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('refreshAccessToken').length >= 2 ? true : undefined), 'the refresh being retried');

      await handle.signal(disconnectSignal, { removeEvents: false });
      await endsWithin(handle, 10_000);
      expect(env.callsOf('finalizeDisconnect')).toHaveLength(1);
      expect(env.callsOf('refreshBusyTimes')).toHaveLength(1);
    });
  });

  // The disconnect lands at an arbitrary point of a run that is about to continue as new (the
  // previous test pins the one point the workflow itself must guard): whichever run receives it,
  // the chain must end.
  it('ends on a disconnect sent while it continues as new after every read', async () => {
    await runWorkflowWorker(connectionStubs(), async (env) => {
      const handle = await startConnection(env, { maxHistoryEvents: 1 });
      await eventually(async () => (runs(env) >= 4 ? true : undefined), 'a few runs');

      await handle.signal(disconnectSignal, { removeEvents: false });
      await endsWithin(handle, 10_000);
      expect(env.callsOf('finalizeDisconnect')).toHaveLength(1);
      expect(env.callsOf('eventsToRemove')).toHaveLength(0);
    });
  });
});

/** Booking ids no other test's workflows use (no booking workflow runs for them: events are deleted directly). */
const bookingIds = (n: number) => Array.from({ length: n }, () => `bk-${randomUUID()}`);

/** The events the database still records in the calendar: removed as the delete stub succeeds. */
function calendarOf(bookingIds: string[]) {
  const held = new Set(bookingIds);
  return {
    held,
    eventsToRemove: async (input: { limit: number; skip?: string[] }): Promise<EventToRemove[]> =>
      [...held]
        .filter((b) => !(input.skip ?? []).includes(b))
        .slice(0, input.limit)
        .map((bookingId) => ({ bookingId, userId: 'user-1', revision: 1 })),
  };
}

const failure = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

describe('connection workflow: a disconnect that removes events always finishes', () => {
  it('removes nothing from an account that needs reconnecting, and says why every event stays', async () => {
    const calendar = calendarOf(bookingIds(2));
    const stubs = connectionStubs({
      eventRemovalBlocked: async () => ({ blockedBecause: 'needs reconnecting' }),
      eventsToRemove: calendar.eventsToRemove,
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 1 ? true : undefined), 'the first busy read');
      await handle.signal(disconnectSignal, { removeEvents: true });
      await endsWithin(handle, 10_000);
      expect(env.callsOf('deleteCalendarEvent')).toEqual([]);
      expect(env.callsOf('finalizeDisconnect').map((c) => c.input)).toEqual([
        { connectionId: expect.any(String) as string, removal: { stoppedBecause: 'needs reconnecting', refused: [] } },
      ]);
    });
  });

  it('stops at the first delete refused for want of re-authentication (it used to ask again for ever)', async () => {
    const calendar = calendarOf(bookingIds(3));
    const stubs = connectionStubs({
      eventsToRemove: calendar.eventsToRemove,
      // No booking workflow runs here: every event is deleted directly, and the account refuses.
      deleteCalendarEvent: async () => {
        throw failure(FailureType.ReauthRequired, 'the calendar connection needs to be reconnected');
      },
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 1 ? true : undefined), 'the first busy read');
      await handle.signal(disconnectSignal, { removeEvents: true });
      await endsWithin(handle, 15_000);
      const [finalized] = env.callsOf('finalizeDisconnect');
      expect(finalized?.input.removal?.stoppedBecause).toContain('reconnected');
      expect(finalized?.input.removal?.refused).toEqual([]);
      expect(calendar.held.size).toBe(3);
    });
  });

  it('removes what it can and lists an event the provider refused to delete, without asking again', async () => {
    const ids = bookingIds(3);
    const refusedId = ids[1]!;
    const calendar = calendarOf(ids);
    const stubs = connectionStubs({
      eventsToRemove: calendar.eventsToRemove,
      deleteCalendarEvent: async (input) => {
        if (input.bookingId === refusedId) throw failure(FailureType.ProviderRejected, 'CalDAV delete answered 403 Forbidden');
        calendar.held.delete(input.bookingId);
        return { action: 'deleted' };
      },
    });
    await runWorkflowWorker(stubs, async (env) => {
      const handle = await startConnection(env);
      await eventually(async () => (env.callsOf('refreshBusyTimes').length === 1 ? true : undefined), 'the first busy read');
      await handle.signal(disconnectSignal, { removeEvents: true });
      await endsWithin(handle, 15_000);
      expect([...calendar.held]).toEqual([refusedId]);
      expect(env.callsOf('deleteCalendarEvent').filter((c) => c.input.bookingId === refusedId)).toHaveLength(1);
      const [finalized] = env.callsOf('finalizeDisconnect');
      expect(finalized?.input.removal).toEqual({
        refused: [{ bookingId: refusedId, reason: expect.stringContaining('403 Forbidden') as string }],
      });
    });
  });
});
