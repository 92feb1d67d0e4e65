import { calendarOperations, syncLatency } from '../metrics/metrics';
import { Context } from '@temporalio/activity';
import type { BookingDetails } from '../domain/booking';
import { renderEvent } from '../events/render';
import { ProviderError } from '../providers/types';
import type { ActivityDeps } from './deps';
import { withRequestSlot } from './concurrency';
import { connectionAccess, type AccessInput } from './access';
import { toActivityFailure } from './failures';

export interface CalendarEventInput {
  bookingId: string;
  userId: string;
  connectionId: string;
  /** The workflow revision this write brings the calendar to. */
  revision: number;
  knownExternalEventId?: string;
  /**
   * Set on the attempt right after a refresh: use the new token even if the provider issues
   * short-lived ones (under the 5-minute margin), instead of refreshing in a loop.
   */
  tokenJustRefreshed?: boolean;
  /** Delete only: the calendar the event is in, when it is not the connection's current one. */
  calendarId?: string;
}

export interface UpsertEventInput extends CalendarEventInput {
  booking: BookingDetails;
}

export interface UpsertEventResult {
  externalEventId: string;
  /** The calendar it was written to. */
  calendarId: string;
  action: 'created' | 'updated';
}

export interface DeleteEventResult {
  action: 'deleted' | 'already_gone';
}

export function createCalendarActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;

  const access = (input: AccessInput) => connectionAccess(deps, now(), input);

  /** Audit a failed attempt; a retry that will follow is `retrying`, a final one `failed`. */
  async function recordFailure(
    input: CalendarEventInput,
    provider: string,
    operation: 'create' | 'update' | 'delete',
    err: unknown,
    final: boolean,
  ): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    calendarOperations.inc({ provider, operation, outcome: final ? 'failed' : 'retrying' });
    if (final) {
      await deps.calendarEvents.recordFailure({ ...input, provider, operation, error: message });
    } else {
      await deps.syncLog.append([{ ...input, provider, operation, outcome: 'retrying', detail: `attempt ${Context.current().info.attempt}: ${message}` }]);
    }
  }

  function observeWrite(provider: string, operation: string, bookingChangedAt: Date | null): void {
    calendarOperations.inc({ provider, operation, outcome: 'ok' });
    if (bookingChangedAt) syncLatency.observe({ provider, operation }, Math.max(0, (Date.now() - bookingChangedAt.getTime()) / 1000));
  }

  return {
    /** Creates or updates the participant's event for this booking revision. Idempotent. */
    async upsertCalendarEvent(input: UpsertEventInput): Promise<UpsertEventResult> {
      const { ctx, provider, tokenVersion } = await access({ ...input, calendarId: undefined });
      const spec = renderEvent({
        bookingId: input.bookingId,
        connectionId: input.connectionId,
        booking: input.booking,
        forUserId: input.userId,
        reminders: deps.reminders,
      });
      const operation = input.knownExternalEventId ? 'update' : 'create';
      let outcome;
      try {
        const adapter = deps.providers.calendar(provider);
        outcome = await withRequestSlot(deps.slots, `connection:${input.connectionId}`, adapter.maxConcurrentRequestsPerUser, () =>
          adapter.upsertEvent(ctx, spec, { externalEventId: input.knownExternalEventId }),
        );
      } catch (err) {
        const failure = toActivityFailure(err, tokenVersion);
        if (!(err instanceof ProviderError && err.kind === 'unauthorized')) {
          await recordFailure(input, provider, operation, err, failure.nonRetryable === true).catch(() => undefined);
        }
        throw failure;
      }
      const written = outcome.action === 'created' ? 'create' : 'update';
      const recorded = await deps.calendarEvents.recordOutcome({
        ...input,
        provider,
        operation: written,
        externalEventId: outcome.externalEventId,
        etag: outcome.etag,
        calendarId: ctx.calendarId,
      });
      observeWrite(provider, written, recorded.bookingChangedAt);
      return { externalEventId: outcome.externalEventId, calendarId: ctx.calendarId, action: outcome.action };
    },

    /** Removes the participant's event; an event already gone is success. */
    async deleteCalendarEvent(input: CalendarEventInput): Promise<DeleteEventResult> {
      const { ctx, provider, tokenVersion } = await access(input);
      let outcome;
      try {
        const adapter = deps.providers.calendar(provider);
        outcome = await withRequestSlot(deps.slots, `connection:${input.connectionId}`, adapter.maxConcurrentRequestsPerUser, () =>
          adapter.deleteEvent(ctx, { bookingId: input.bookingId, connectionId: input.connectionId }, { externalEventId: input.knownExternalEventId }),
        );
      } catch (err) {
        const failure = toActivityFailure(err, tokenVersion);
        if (!(err instanceof ProviderError && err.kind === 'unauthorized')) {
          await recordFailure(input, provider, 'delete', err, failure.nonRetryable === true).catch(() => undefined);
        }
        throw failure;
      }
      const recorded = await deps.calendarEvents.recordOutcome({
        ...input,
        provider,
        operation: 'delete',
        externalEventId: input.knownExternalEventId,
        etag: undefined,
        calendarId: ctx.calendarId,
        detail: outcome.action,
      });
      observeWrite(provider, 'delete', recorded.bookingChangedAt);
      return { action: outcome.action };
    },
  };
}
