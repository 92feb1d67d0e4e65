import { Context } from '@temporalio/activity';
import type { EventOutcome } from '../db/calendar-events';
import type { BookingDetails } from '../domain/booking';
import { personalStrings, redactPersonal } from '../domain/personal-redaction';
import { renderEvent } from '../events/render';
import { calendarOperations, syncLatency } from '../metrics/metrics';
import type { ActivityDeps } from './deps';
import { readyAccount, callProvider, type FailureAudit } from './provider-call';

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
  /** Delete only: the calendar the event is in, when it is not the calendar account's current one. */
  calendarId?: string;
}

export interface UpsertEventInput extends CalendarEventInput {
  booking: BookingDetails;
  /** The calendar the known event is in; when the account's calendar is another one now, the event moves. */
  knownCalendarId?: string;
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

/** A done write as it is recorded, beside the input that asked for it. */
type EventWrite = Omit<EventOutcome, 'connectionId' | 'bookingId' | 'userId' | 'revision'>;

export function createCalendarActivities(deps: ActivityDeps) {
  /**
   * Audits a failed attempt; a retry that will follow is `retrying`, a final one `failed`. The
   * stored message keeps none of the booking's personal data (`booking`) a provider may echo.
   */
  function failureAudit(
    input: CalendarEventInput,
    provider: string,
    operation: EventWrite['operation'],
    booking?: BookingDetails,
  ): FailureAudit {
    return async (provided, final) => {
      const message = redactPersonal(provided, booking ? personalStrings(booking) : []);
      calendarOperations.inc({ provider, operation, outcome: final ? 'failed' : 'retrying' });
      if (final) {
        await deps.calendarEvents.recordFailure({ ...input, provider, operation, error: message });
      } else {
        await deps.syncLog.append([
          { ...input, provider, operation, outcome: 'retrying', detail: `attempt ${Context.current().info.attempt}: ${message}` },
        ]);
      }
    };
  }

  /** Records a done write: the event's state, its count and, for a booking change, how long it took to reach the calendar. */
  async function recordWrite(input: CalendarEventInput, write: EventWrite): Promise<void> {
    const { provider, operation } = write;
    const recorded = await deps.calendarEvents.recordOutcome({ ...input, ...write });
    calendarOperations.inc({ provider, operation, outcome: 'ok' });
    if (recorded.bookingChangedAt) {
      syncLatency.observe({ provider, operation }, Math.max(0, (Date.now() - recorded.bookingChangedAt.getTime()) / 1000));
    }
  }

  /** Removes the participant's event; an event already gone is success. */
  async function deleteEvent(input: CalendarEventInput): Promise<DeleteEventResult> {
    const account = await readyAccount(deps, input);
    const key = { bookingId: input.bookingId, connectionId: input.connectionId };
    const known = { externalEventId: input.knownExternalEventId };
    const outcome = await callProvider(
      deps,
      account,
      (provider, ctx) => provider.deleteEvent(ctx, key, known),
      failureAudit(input, account.provider, 'delete'),
      'deleteEvent',
    );
    await recordWrite(input, {
      provider: account.provider,
      operation: 'delete',
      externalEventId: input.knownExternalEventId,
      etag: undefined,
      calendarId: account.ctx.calendarId,
      detail: outcome.action,
    });
    return { action: outcome.action };
  }

  return {
    /** Creates or updates the participant's event for this booking revision. Idempotent. */
    async upsertCalendarEvent(input: UpsertEventInput): Promise<UpsertEventResult> {
      const account = await readyAccount(deps, { ...input, calendarId: undefined });
      // The user chose another calendar after the workflow planned this write: the event moves
      // here, out of the calendar it is in first (an update by id would leave it there).
      const moved =
        input.knownExternalEventId !== undefined && input.knownCalendarId !== undefined && input.knownCalendarId !== account.ctx.calendarId;
      if (moved) await deleteEvent({ ...input, calendarId: input.knownCalendarId });
      const spec = {
        ...renderEvent({
          bookingId: input.bookingId,
          connectionId: input.connectionId,
          booking: input.booking,
          forUserId: input.userId,
          reminders: account.reminders ?? deps.reminders,
          templates: deps.eventTemplates,
        }),
        ...(account.reminders ? { accountReminders: true } : {}),
      };
      const known = { externalEventId: moved ? undefined : input.knownExternalEventId };
      const outcome = await callProvider(
        deps,
        account,
        (provider, ctx) => provider.upsertEvent(ctx, spec, known),
        failureAudit(input, account.provider, known.externalEventId ? 'update' : 'create', input.booking),
        'upsertEvent',
      );
      const { calendarId } = account.ctx;
      await recordWrite(input, {
        provider: account.provider,
        operation: outcome.action === 'created' ? 'create' : 'update',
        externalEventId: outcome.externalEventId,
        etag: outcome.etag,
        calendarId,
      });
      return { externalEventId: outcome.externalEventId, calendarId, action: outcome.action };
    },

    /** Removes the participant's event; an event already gone is success. */
    deleteCalendarEvent: deleteEvent,
  };
}
