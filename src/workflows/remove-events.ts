import { ActivityFailure, getExternalWorkflowHandle, sleep } from '@temporalio/workflow';
import type { EventToRemove, RemovalOutcome } from '../domain/booking';
import { FailureType } from '../domain/failures';
import { activities, disconnectCallActivities } from './activity-options';
import { bookingWorkflowId, syncConnectionSignal } from './messages';
import { withFreshToken } from './token-refresh';

const PAGE_SIZE = 50;
/** Deletions per second: well under every provider's per-user quota. */
const PER_SECOND = 5;

/** Failures that say the calendar account cannot be written any more, not just this event: why, for the user. */
const ACCOUNT_FAILURES: ReadonlyMap<string, string> = new Map([
  [FailureType.ReauthRequired, 'The calendar needs to be reconnected, so events could not be removed from it.'],
  [FailureType.TokenExpired, 'The calendar kept refusing its sign-in, so events could not be removed from it.'],
  [FailureType.ConnectionUnavailable, 'The calendar was disconnected already.'],
]);
const NOT_ANSWERING = 'The calendar did not answer, so events could not be removed from it.';

/** How one direct deletion ended: done, refused for this event, or the account cannot be written. */
type Deletion = { kind: 'done' } | { kind: 'event'; reason: string } | { kind: 'account'; reason: string };

/**
 * Removes every event this service wrote into a calendar being disconnected. A running booking
 * workflow is asked to do it (it is its events' only writer, and it sees the calendar account as
 * `removing`); a finished one has no writer left, so the event is deleted here directly.
 * Repeats until the database records no event of ours in that calendar, or until nothing more
 * can be removed: the account cannot be written any more (it needs reconnecting, its sign-in
 * cannot be read, the provider stopped answering), or the provider refused an event's deletion.
 * Returns why events were left, for the disconnect to report; it always ends.
 */
export async function removeAccountEvents(connectionId: string): Promise<RemovalOutcome> {
  const asked = new Map<string, number>();
  const refused = new Map<string, string>();
  const outcome = (stoppedBecause?: string): RemovalOutcome => ({
    ...(stoppedBecause === undefined ? {} : { stoppedBecause }),
    refused: [...refused].map(([bookingId, reason]) => ({ bookingId, reason })),
  });
  for (;;) {
    // Booking workflows do not delete from an account that needs reconnecting: asking them would never end.
    const { blockedBecause } = await activities.eventRemovalBlocked({ connectionId });
    if (blockedBecause !== undefined) return outcome(blockedBecause);
    const page = await activities.eventsToRemove({ connectionId, limit: PAGE_SIZE, skip: [...refused.keys()] });
    if (page.length === 0) return outcome();
    for (let i = 0; i < page.length; i += PER_SECOND) {
      const deletions = await Promise.all(
        page.slice(i, i + PER_SECOND).map(async (event): Promise<Deletion> => {
          const times = asked.get(event.bookingId) ?? 0;
          asked.set(event.bookingId, times + 1);
          // A workflow asked twice that still holds the event does not know it: delete directly.
          if (times < 2 && (await signalled(event.bookingId, connectionId))) return { kind: 'done' };
          const deletion = await deleteDirectly(connectionId, event);
          if (deletion.kind === 'event') refused.set(event.bookingId, deletion.reason);
          return deletion;
        }),
      );
      const stop = deletions.find((d) => d.kind === 'account');
      if (stop) return outcome(stop.reason);
      await sleep(1_000);
    }
  }
}

async function deleteDirectly(connectionId: string, event: EventToRemove): Promise<Deletion> {
  try {
    const deleted = await withFreshToken(
      connectionId,
      (tokenJustRefreshed) =>
        disconnectCallActivities.deleteCalendarEvent({
          bookingId: event.bookingId,
          userId: event.userId,
          connectionId,
          revision: event.revision,
          calendarId: event.calendarId,
          tokenJustRefreshed,
        }),
      // Its refreshes are bounded as its calls are: a disconnect finishes even with the token endpoint down.
      { refresher: disconnectCallActivities },
    );
    if (deleted.ok) return { kind: 'done' };
    const { failure } = deleted;
    const accountReason = failure.type ? ACCOUNT_FAILURES.get(failure.type) : undefined;
    if (accountReason) return { kind: 'account', reason: accountReason };
    return { kind: 'event', reason: `The calendar refused to delete it (${failure.message}).` };
  } catch (err) {
    // Retried until the disconnect's time limit for calls: the provider is not answering.
    if (err instanceof ActivityFailure) return { kind: 'account', reason: NOT_ANSWERING };
    throw err;
  }
}

async function signalled(bookingId: string, connectionId: string): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(bookingWorkflowId(bookingId)).signal(syncConnectionSignal, { connectionId });
    return true;
  } catch {
    return false;
  }
}
