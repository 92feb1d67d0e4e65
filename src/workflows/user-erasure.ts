import {
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  sleep,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { ErasureCounts, UserSubject } from '../domain/personal-data';
import { activities } from './activity-options';
import { connectionWorkflow } from './calendar-account';
import { bookingWorkflowId, calendarAccountWorkflowId, disconnectSignal, eraseParticipantSignal } from './messages';

export interface UserErasureInput {
  userId: string;
  /** The user's id hashed under a server key: the only way the erasure record names them. */
  subject: UserSubject;
  /** Remove the events this service wrote in the user's calendars before disconnecting them. */
  removeEvents: boolean;
  /** Carried across continue-as-new while waiting: the accounts this erasure asked to disconnect. */
  asked?: number;
}

export interface UserErasureResult {
  /** Calendar accounts this run disconnected. */
  connections: number;
  /** Rows removed (bookings: changed) per kind. */
  counts: ErasureCounts;
}

/** How long between two looks at whether every disconnect has finished: doubling up to a minute. */
const FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 60_000;
/** Looks between two requests again to the accounts still connected (about every ten minutes once waits are long). */
const ASK_AGAIN_EVERY = 10;

/**
 * Erases a user (`user-erasure:<hash>`): each calendar account is disconnected through its own
 * workflow (revoked, tokens erased, our events removed when asked) and the erasure waits until
 * every one has finished; the booking workflows still running forget the user; then every row
 * naming the user goes in one transaction, leaving a record that names them by hash only. Each
 * step is idempotent, so a run retried after a crash, or repeated, ends in the same place.
 */
export async function userErasureWorkflow(input: UserErasureInput): Promise<UserErasureResult> {
  const { userId, subject, removeEvents } = input;
  let asked = input.asked;
  if (asked === undefined) {
    await activities.beginUserErasure({ subject, removeEvents });
    const accounts = await activities.stopUserAccounts({ userId, removeEvents });
    for (const connectionId of accounts) await askToDisconnect(connectionId, userId, removeEvents);
    asked = accounts.length;
  }
  // A disconnect always finishes (src/workflows/calendar-account.ts), reporting what it could not
  // remove. An account's workflow that was terminated meanwhile is asked (so started) again.
  for (let wait = FIRST_WAIT_MS, round = 1; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS), round += 1) {
    const left = await activities.userAccountsLeft({ userId });
    if (left.length === 0) break;
    if (round % ASK_AGAIN_EVERY === 0) for (const connectionId of left) await askToDisconnect(connectionId, userId, removeEvents);
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof userErasureWorkflow>({ ...input, asked });
    await sleep(wait);
  }

  // A running booking workflow would write the user back into its booking's row on its next change.
  for (const bookingId of await activities.userBookingIds({ userId })) {
    try {
      await getExternalWorkflowHandle(bookingWorkflowId(bookingId)).signal(eraseParticipantSignal, { userId });
    } catch {
      // Not running: its row is all there is, and the erasure below takes the user out of it.
    }
  }

  const counts = await activities.eraseUserRows({ userId, subject });
  return { connections: asked, counts };
}

/**
 * Signals the account's workflow to disconnect; when it is not running (it ended), starts it
 * with the same id so that it does, as the API's signal-with-start would.
 */
async function askToDisconnect(connectionId: string, userId: string, removeEvents: boolean): Promise<void> {
  const workflowId = calendarAccountWorkflowId(connectionId);
  try {
    await getExternalWorkflowHandle(workflowId).signal(disconnectSignal, { removeEvents });
    return;
  } catch {
    // Not running: started below.
  }
  try {
    const child = await startChild(connectionWorkflow, {
      workflowId,
      args: [{ connectionId, userId }],
      // It finishes on its own after the disconnect; the erasure waits for that through the database.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    await child.signal(disconnectSignal, { removeEvents });
  } catch {
    // Started meanwhile by someone else (a connect, a disconnect from the API): signal that one.
    await getExternalWorkflowHandle(workflowId).signal(disconnectSignal, { removeEvents });
  }
}
