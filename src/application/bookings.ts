import type { StoredBooking } from '../db/stored-bookings';
import type { BookingView, CalendarSyncState, CalendarView } from '../domain/booking';
import { bookingClosedAt } from '../domain/booking-lifetime';
import type { BookingLifecycle, ResumingChange, WorkflowGateway } from '../temporal/workflow-gateway';
import { canonicalInstant } from '../domain/booking-input-schemas';
import { resumedState } from './resumed-booking';
import type { BookingMemo, CancelChange, ConfirmChange, RescheduleChange } from '../workflows/messages';

/** Why a booking change or read was refused. */
export type BookingError =
  | 'booking_not_found'
  /** The booking was cancelled and accepts no further changes. */
  | 'booking_cancelled'
  /** The booking's workflow has ended for another reason. */
  | 'booking_closed'
  /** Known, but neither a worker nor the database can show it now. */
  | 'state_unavailable';

export type BookingResult<T = void> = { ok: true; value: T } | { ok: false; error: BookingError };

/** A user's edit of our event, as the calendar reads recorded it (by calendar account). */
export interface ExternalEditSeen {
  state: Extract<CalendarSyncState, 'removed_externally' | 'moved_externally'>;
  changedAt: string;
}

/** What the booking views are read from besides the workflow. */
export interface BookingRecords {
  /**
   * The booking as PostgreSQL last recorded it, for when no worker answers the state query or
   * its workflow is gone (`workflowGone`: nothing more is on its way).
   */
  recordedView(bookingId: string, workflowGone: boolean): Promise<BookingView | null>;
  /** Everything PostgreSQL keeps of the booking, to resume it in a new workflow. */
  stored(bookingId: string): Promise<StoredBooking | null>;
  /** The users' edits of the booking's events, by calendar account id. */
  externalEdits(bookingId: string): Promise<Map<string, ExternalEditSeen>>;
}

export interface BookingsDeps {
  workflows: Pick<
    WorkflowGateway,
    'confirmBooking' | 'rescheduleBooking' | 'cancelBooking' | 'resumeBooking' | 'bookingLifecycle' | 'bookingView'
  >;
  records: BookingRecords;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

const ok: BookingResult = { ok: true, value: undefined };

function closedError(memo: BookingMemo): BookingResult<never> {
  return { ok: false, error: memo.status === 'cancelled' ? 'booking_cancelled' : 'booking_closed' };
}

/** A booking whose workflow is gone; `unknown` here means it ended and was removed meanwhile. */
function endedError(life: BookingLifecycle): BookingResult<never> {
  return closedError(life.kind === 'unknown' ? { status: 'none' } : life.memo);
}

/** The workflow knows what it wrote; only reads of the calendar know what the user did since. */
function withExternalEdits(view: BookingView, edits: Map<string, ExternalEditSeen>): BookingView {
  const calendars = view.calendars.map((c): CalendarView => {
    const seen = c.connectionId && c.state === 'synced' ? edits.get(c.connectionId) : undefined;
    return seen ? { ...c, state: seen.state, externallyChangedAt: seen.changedAt } : c;
  });
  return { ...view, calendars };
}

/**
 * The booking system's changes and reads. Every change becomes a signal to the booking's
 * workflow, accepted only once Temporal has durably recorded it; a booking that has ended
 * accepts none (a repeated cancel of a cancelled booking is accepted and changes nothing).
 */
export class Bookings {
  constructor(private readonly deps: BookingsDeps) {}

  async confirm(bookingId: string, given: ConfirmChange): Promise<BookingResult> {
    const change = { ...given, booking: { ...given.booking, ...canonicalTimes(given.booking) } };
    if ((await this.deps.workflows.confirmBooking(bookingId, change)) === 'sent') return ok;
    return endedError(await this.deps.workflows.bookingLifecycle(bookingId));
  }

  async reschedule(bookingId: string, given: RescheduleChange): Promise<BookingResult> {
    const change = { ...given, ...canonicalTimes(given) };
    const life = await this.deps.workflows.bookingLifecycle(bookingId);
    if (life.kind === 'unknown') return this.resume(bookingId, { kind: 'reschedule', change });
    if (life.kind === 'closed' || life.memo.status === 'cancelled') return closedError(life.memo);
    if ((await this.deps.workflows.rescheduleBooking(bookingId, change)) === 'sent') return ok;
    // It closed between describe and signal.
    return endedError(await this.deps.workflows.bookingLifecycle(bookingId));
  }

  async cancel(bookingId: string, change: CancelChange): Promise<BookingResult> {
    const life = await this.deps.workflows.bookingLifecycle(bookingId);
    if (life.kind === 'unknown') return this.resume(bookingId, { kind: 'cancel', change });
    if (life.kind === 'closed') return life.memo.status === 'cancelled' ? ok : closedError(life.memo);
    if ((await this.deps.workflows.cancelBooking(bookingId, change)) === 'sent') return ok;
    return endedError(await this.deps.workflows.bookingLifecycle(bookingId));
  }

  /**
   * A change for a booking Temporal has no workflow of: unknown unless the database recorded it.
   * A booking recorded cancelled, or ended past the time its workflow would have stayed open,
   * answers as its closed workflow did. Otherwise (its workflow was removed early) a new workflow
   * resumes it from what the database recorded, with the change as its first signal: the events
   * already written are known by id, so the change updates or removes them and never adds one.
   */
  private async resume(bookingId: string, resuming: ResumingChange): Promise<BookingResult> {
    const stored = await this.deps.records.stored(bookingId);
    if (!stored) return { ok: false, error: 'booking_not_found' };
    const { projection } = stored;
    if (projection.status === 'cancelled') return resuming.kind === 'cancel' ? ok : { ok: false, error: 'booking_cancelled' };
    if (bookingClosedAt(projection.details.end, (this.deps.now ?? Date.now)())) return { ok: false, error: 'booking_closed' };
    if ((await this.deps.workflows.resumeBooking(bookingId, resumedState(stored), resuming)) === 'sent') return ok;
    // Its workflow ran and closed meanwhile (another request resumed it): answer as for a closed one.
    const life = await this.deps.workflows.bookingLifecycle(bookingId);
    if (resuming.kind === 'cancel' && life.kind === 'closed' && life.memo.status === 'cancelled') return ok;
    return endedError(life);
  }

  /**
   * The booking as its workflow shows it, or as the database recorded it when no worker
   * answers or Temporal no longer has its workflow; either way with the users' own edits of its events.
   */
  async view(bookingId: string): Promise<BookingResult<BookingView>> {
    const life = await this.deps.workflows.bookingLifecycle(bookingId);
    const view =
      life.kind === 'unknown'
        ? await this.deps.records.recordedView(bookingId, true)
        : ((await this.deps.workflows.bookingView(bookingId, life.kind)) ?? (await this.deps.records.recordedView(bookingId, false)));
    if (!view) return { ok: false, error: life.kind === 'unknown' ? 'booking_not_found' : 'state_unavailable' };
    return { ok: true, value: withExternalEdits(view, await this.deps.records.externalEdits(bookingId)) };
  }
}

/** A booking's times as it answers them later: what is stored and shown matches the document's `date-time`. */
function canonicalTimes(times: { start: string; end: string }): { start: string; end: string } {
  return { start: canonicalInstant(times.start), end: canonicalInstant(times.end) };
}
