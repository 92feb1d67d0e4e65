import type { WorkflowHandle } from '@temporalio/client';
import type { UpsertEventInput } from '../../../src/activities';
import type { BookingDetails, BookingView, CalendarTarget, Participant } from '../../../src/domain/booking';
import type { bookingWorkflow, BookingWorkflowInput } from '../../../src/workflows/booking';
import { bookingWorkflowId, confirmSignal, stateQuery, type ConfirmChange } from '../../../src/workflows/messages';
import { BookingIdKey, BookingStatusKey, ParticipantUserIdsKey, SyncStateKey } from '../../../src/workflows/search-attributes';
import { eventually } from '../../support/eventually';
import type { ActivityStubs, WorkflowTestEnv } from './workflow-worker';

export type BookingHandle = WorkflowHandle<typeof bookingWorkflow>;

export function participant(userId: string, role = 'client'): Participant {
  return { userId, role, name: userId, email: `${userId}@example.test` };
}

/** A usable, sync-enabled calendar of `userId`. */
export function target(userId: string, connectionId: string): CalendarTarget {
  return {
    userId,
    connectionId,
    provider: 'google',
    calendarId: 'primary',
    usable: true,
    needsReauth: false,
    syncEnabled: true,
    removing: false,
  };
}

export function details(participants: Participant[], start: string, end: string, title = 'Lesson'): BookingDetails {
  return { title, start, end, timeZone: 'UTC', participants };
}

/** An hour from `start` (ISO), as ISO. */
export const hourAfter = (start: string): string => new Date(Date.parse(start) + 3_600_000).toISOString();

/**
 * The database side of a booking with no history in the database: every pass sees `targets`.
 * Upserts answer with one event id per calendar, deletes with `deleted`.
 */
export function bookingStubs(targets: CalendarTarget[], overrides: ActivityStubs = {}): ActivityStubs {
  return {
    prepareFirstReconcile: async () => ({ prior: null, targets: { calendars: targets, invitations: 'off' } }),
    prepareReconcile: async () => ({ calendars: targets, invitations: 'off' }),
    upsertCalendarEvent: async (input) => ({
      externalEventId: eventIdFor(input),
      calendarId: 'primary',
      action: input.knownExternalEventId ? 'updated' : 'created',
    }),
    deleteCalendarEvent: async () => ({ action: 'deleted' }),
    ...overrides,
  };
}

export const eventIdFor = (input: Pick<UpsertEventInput, 'connectionId'>): string => `event-${input.connectionId}`;

/** Starts a booking's workflow the way the API does: signal-with-start of its first confirm. */
export async function startBooking(
  env: WorkflowTestEnv,
  bookingId: string,
  change: ConfirmChange,
  input: Partial<BookingWorkflowInput> = {},
): Promise<BookingHandle> {
  const handle = await env.client.workflow.signalWithStart<typeof bookingWorkflow, [ConfirmChange]>('bookingWorkflow', {
    workflowId: bookingWorkflowId(bookingId),
    taskQueue: env.taskQueue,
    args: [{ bookingId, ...input }],
    signal: confirmSignal,
    signalArgs: [change],
    memo: { status: 'confirmed' },
    typedSearchAttributes: [
      { key: BookingIdKey, value: bookingId },
      { key: BookingStatusKey, value: 'confirmed' },
      { key: SyncStateKey, value: 'pending' },
      { key: ParticipantUserIdsKey, value: change.booking.participants.map((p) => p.userId) },
    ],
  });
  return env.track(env.client.workflow.getHandle<typeof bookingWorkflow>(handle.workflowId));
}

/** Queries the booking until `ready` holds for its view. */
export async function viewWhen(
  handle: BookingHandle,
  ready: (view: BookingView) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<BookingView> {
  return eventually(
    async () => {
      const view = await handle.query(stateQuery);
      return view && ready(view) ? view : undefined;
    },
    what,
    timeoutMs,
  );
}

export const calendarOf = (view: BookingView, connectionId: string) => view.calendars.find((c) => c.connectionId === connectionId);
