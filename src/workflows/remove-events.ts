import { getExternalWorkflowHandle, sleep } from '@temporalio/workflow';
import { activities } from './activity-options';
import { bookingWorkflowId, syncConnectionSignal } from './messages';
import { withFreshToken } from './token-refresh';

const PAGE_SIZE = 50;
/** Deletions per second: well under every provider's per-user quota. */
const PER_SECOND = 5;

/**
 * Removes every event this service wrote into a calendar being disconnected. A running booking
 * workflow is asked to do it (it is its events' only writer, and it sees the calendar account as
 * `removing`); a finished one has no writer left, so the event is deleted here directly.
 * Repeats until the database records no event of ours in that calendar.
 */
export async function removeAccountEvents(connectionId: string): Promise<void> {
  const asked = new Map<string, number>();
  for (;;) {
    const page = await activities.eventsToRemove({ connectionId, limit: PAGE_SIZE });
    if (page.length === 0) return;
    for (let i = 0; i < page.length; i += PER_SECOND) {
      await Promise.all(
        page.slice(i, i + PER_SECOND).map(async (event) => {
          const times = asked.get(event.bookingId) ?? 0;
          asked.set(event.bookingId, times + 1);
          // A workflow asked twice that still holds the event does not know it: delete directly.
          if (times < 2 && (await signalled(event.bookingId, connectionId))) return;
          await withFreshToken(connectionId, (tokenJustRefreshed) =>
            activities.deleteCalendarEvent({
              bookingId: event.bookingId,
              userId: event.userId,
              connectionId,
              revision: event.revision,
              calendarId: event.calendarId,
              tokenJustRefreshed,
            }),
          );
        }),
      );
      await sleep(1_000);
    }
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
