/**
 * The booking workflow's state, as plain deterministic code (no Temporal imports), so it can be
 * unit-tested on its own. Signals only change the *desired* state here; the workflow's reconcile
 * loop then drives calendars towards it.
 */
import type { BookingStatus, BookingView, CalendarTarget, SyncState } from '../domain/booking';
import type { InvitationMode } from '../domain/invitations';
import { bookingView } from '../domain/booking-view';
import { participantSyncs } from '../domain/selective-sync';
import { recordKey, type CalendarRecord, type CarriedState, type DesiredBooking, type ReconcileOp } from './booking-records';
import { CalendarRecords } from './calendar-records';
import type { InvitationOp } from './booking-records';
import { InvitationLanes } from './invitation-lanes';
import type { CancelChange, ConfirmChange, RescheduleChange } from './messages';
import { confirmedBooking } from './confirmed-booking';
import { isNewer, maxVersion } from './versions';

export type { CalendarTarget };
export {
  recordKey,
  type AppliedVersions,
  type CalendarRecord,
  type CarriedState,
  type DesiredBooking,
  type ReconcileOp,
} from './booking-records';

export class BookingState {
  private desiredBooking: DesiredBooking | null;
  private currentRevision: number;
  private savedUpTo: number;
  /** What each participant's calendar holds, as far as the workflow knows. */
  private readonly calendars: CalendarRecords;
  private changedSincePass: boolean;
  private passOrOperationRunning = false;
  /** The participants' e-mail invitations, planned beside their calendars. */
  readonly invitations: InvitationLanes;

  constructor(
    readonly bookingId: string,
    carried?: CarriedState,
  ) {
    this.desiredBooking = carried?.desired ?? null;
    this.currentRevision = carried?.revision ?? 0;
    this.savedUpTo = carried?.savedRevision ?? 0;
    this.calendars = new CalendarRecords(carried?.calendars);
    this.invitations = new InvitationLanes(carried?.invitations);
    this.changedSincePass = carried !== undefined && this.desiredBooking !== null;
  }

  get desired(): DesiredBooking | null {
    return this.desiredBooking;
  }

  /** Bumped on every applied change: a calendar is in sync when it reached the current revision. */
  get revision(): number {
    return this.currentRevision;
  }

  /** The newest revision saved to the database. */
  get savedRevision(): number {
    return this.savedUpTo;
  }

  /** Set by any change that needs a reconcile pass. */
  get dirty(): boolean {
    return this.changedSincePass;
  }

  /** True while a reconcile pass or a calendar operation runs: the calendars may not reflect the latest revision yet. */
  get reconciling(): boolean {
    return this.passOrOperationRunning;
  }

  /** A reconcile pass begins: it takes every change so far. Returns the booking it plans for. */
  passStarted(): DesiredBooking | null {
    this.changedSincePass = false;
    if (this.desiredBooking) this.passOrOperationRunning = true;
    return this.desiredBooking;
  }

  /** The pass saved the booking as of `revision`. */
  savedAt(revision: number): void {
    this.savedUpTo = Math.max(this.savedUpTo, revision);
  }

  /** The pass ended; `operationsRunning`: calendar operations it (or an earlier pass) started are still in flight. */
  passEnded(operationsRunning: boolean): void {
    this.passOrOperationRunning = operationsRunning;
  }

  operationStarted(): void {
    this.passOrOperationRunning = true;
  }

  /** A calendar operation planned at `revision` ended. A newer change means that calendar must be planned again. */
  operationEnded(revision: number, operationsRunning: boolean): void {
    this.passOrOperationRunning = operationsRunning;
    if (this.currentRevision !== revision) this.changedSincePass = true;
  }

  /** Confirm = the whole booking as of `version`. Ignored once cancelled (cancellation is final). */
  confirm(change: ConfirmChange): boolean {
    const next = confirmedBooking(this.desiredBooking, change);
    if (!next) return false;
    this.desiredBooking = next;
    this.calendars.remember(next.details.participants.map((participant) => participant.userId));
    return this.bump();
  }

  reschedule(change: RescheduleChange): boolean {
    const desired = this.desiredBooking;
    if (!desired || desired.status === 'cancelled' || !isNewer(change.version, desired.versions.times)) return false;
    desired.details = {
      ...desired.details,
      start: change.start,
      end: change.end,
      timeZone: change.timeZone ?? desired.details.timeZone,
    };
    desired.versions.times = maxVersion(desired.versions.times, change.version);
    return this.bump();
  }

  /** Cancellation is final whatever its version: a late or reordered change never resurrects it. */
  cancel(change: CancelChange): boolean {
    const desired = this.desiredBooking;
    if (!desired || desired.status === 'cancelled') return false;
    desired.status = 'cancelled';
    desired.cancelReason = change.reason;
    return this.bump();
  }

  /**
   * Merges what the database remembers from an earlier workflow of the same booking (its
   * history may be gone): revisions continue from there and a cancellation stays final.
   */
  adoptPrior(prior: { status: BookingStatus; revision: number }): void {
    this.currentRevision = Math.max(this.currentRevision, prior.revision);
    this.savedUpTo = Math.min(this.savedUpTo, this.currentRevision);
    const desired = this.desiredBooking;
    if (prior.status === 'cancelled' && desired && desired.status !== 'cancelled') desired.status = 'cancelled';
    if (desired) this.bump();
  }

  /**
   * The user was erased (DELETE /v1/users/:userId): they leave the booking and are forgotten. Their
   * calendar accounts were disconnected (events removed when asked) and deleted before this, so
   * nothing is left to do in their calendars; no invitation mail goes to them, not even a CANCEL.
   * When they were the only participant there is nobody left to sync for: the booking is over here.
   */
  eraseParticipant(userId: string): boolean {
    const desired = this.desiredBooking;
    if (!desired) return false;
    const before = desired.details.participants.length;
    desired.details = { ...desired.details, participants: desired.details.participants.filter((p) => p.userId !== userId) };
    const forgotCalendars = this.calendars.forget(userId);
    const forgot = desired.details.participants.length !== before || forgotCalendars;
    this.invitations.forget(userId);
    if (!forgot) return false;
    if (desired.details.participants.length === 0 && desired.status !== 'cancelled') desired.status = 'cancelled';
    return this.bump();
  }

  /** Something the last plan left for later became possible (a busy lane freed): plan again. */
  requestPass(): void {
    this.changedSincePass = true;
  }

  /** A calendar account was (re)connected: its event must be written again even if we think it is. */
  resync(connectionId: string): void {
    this.calendars.resync(connectionId);
    this.changedSincePass = true;
  }

  private bump(): boolean {
    this.currentRevision += 1;
    this.changedSincePass = true;
    return true;
  }

  /** The newest booking-system version applied, if the booking system sends versions. */
  get version(): number | null {
    const versions = this.desiredBooking?.versions;
    if (!versions || (versions.details === null && versions.times === null)) return null;
    return Math.max(versions.details ?? 0, versions.times ?? 0);
  }

  get participantUserIds(): string[] {
    return this.desiredBooking ? this.desiredBooking.details.participants.map((participant) => participant.userId) : [];
  }

  /** Users whose calendars we may still have to clean up (former participants included). */
  get userIdsToResolve(): string[] {
    const ids = new Set(this.participantUserIds);
    for (const calendar of this.calendars.all) ids.add(calendar.userId);
    return [...ids];
  }

  /**
   * Level-triggered plan: compares the desired booking with what each calendar holds and returns
   * the operations that close the gap. Records participants without a usable calendar, or with
   * sync off, as skipped (what we wrote for them is then deleted). Calendars with an operation
   * still in flight (`busy`) are left alone: they are planned again when it ends, so one calendar
   * never has two writes racing.
   */
  plan(targets: CalendarTarget[], nowIso: string, busy: (op: ReconcileOp) => boolean = () => false): ReconcileOp[] {
    const desired = this.desired;
    if (!desired) return [];
    const ops: ReconcileOp[] = [];
    const wanted = new Set<string>();
    const participants = new Set(this.participantUserIds);

    if (desired.status === 'confirmed') {
      for (const userId of participants) {
        const mine = targets.filter(
          (target) =>
            participantSyncs(desired.details, userId) &&
            target.userId === userId &&
            target.usable &&
            !target.removing &&
            (target.syncEnabled || this.calendars.get(userId, target.connectionId)?.externalEventId !== undefined),
        );
        if (mine.length === 0) {
          this.calendars.set({ userId, connectionId: null, provider: null, state: 'skipped', syncedAt: nowIso });
          continue;
        }
        this.calendars.delete(userId, null);
        for (const target of mine) {
          const key = recordKey(userId, target.connectionId);
          wanted.add(key);
          const calendar = this.calendars.get(userId, target.connectionId) ?? {
            userId,
            connectionId: target.connectionId,
            provider: target.provider,
            state: 'pending',
          };
          this.calendars.set(calendar);
          if (target.needsReauth) {
            calendar.state = 'pending';
            calendar.awaitingReauth = true;
            calendar.lastError = 'The calendar connection needs to be reconnected by its user.';
            continue;
          }
          // Reconnected (the database no longer says needs_reauth): try again.
          calendar.awaitingReauth = false;
          const moved =
            calendar.externalEventId !== undefined &&
            calendar.calendarId !== undefined &&
            calendar.calendarId !== target.calendarId &&
            calendar.state !== 'deleted';
          if (!moved && calendar.syncedRevision === this.revision && calendar.state === 'synced') continue;
          const op: ReconcileOp = moved
            ? {
                kind: 'upsert',
                userId,
                connectionId: target.connectionId,
                provider: target.provider,
                moveFromCalendarId: calendar.calendarId,
              }
            : {
                kind: 'upsert',
                userId,
                connectionId: target.connectionId,
                provider: target.provider,
                knownExternalEventId: calendar.externalEventId,
                ...(calendar.calendarId !== undefined ? { knownCalendarId: calendar.calendarId } : {}),
              };
          if (busy(op)) continue;
          calendar.state = 'pending';
          ops.push(op);
        }
      }
    }

    // Everything we wrote that is no longer wanted (cancelled, participant removed, sync off) goes.
    const byConnection = new Map(targets.map((target) => [target.connectionId, target]));
    for (const [key, calendar] of this.calendars.entries()) {
      if (wanted.has(key) || calendar.connectionId === null) {
        if (calendar.connectionId === null && !participants.has(calendar.userId)) this.calendars.delete(calendar.userId, null);
        if (calendar.connectionId === null && desired.status === 'cancelled') calendar.state = 'skipped';
        continue;
      }
      if (calendar.state === 'deleted' || calendar.state === 'skipped') continue;
      const target = byConnection.get(calendar.connectionId);
      if (!target || !target.usable) {
        // The calendar account is gone: nothing we can (or need to) remove there.
        calendar.state = 'skipped';
        calendar.lastError = 'The calendar connection was removed.';
        continue;
      }
      if (target.needsReauth) {
        calendar.awaitingReauth = true;
        calendar.lastError = 'The calendar connection needs to be reconnected by its user.';
        continue;
      }
      calendar.awaitingReauth = false;
      const op: ReconcileOp = {
        kind: 'delete',
        userId: calendar.userId,
        connectionId: calendar.connectionId,
        provider: calendar.provider ?? target.provider,
        knownExternalEventId: calendar.externalEventId,
        ...(calendar.calendarId !== undefined ? { calendarId: calendar.calendarId } : {}),
      };
      if (busy(op)) continue;
      calendar.state = 'pending';
      ops.push(op);
    }
    return ops;
  }

  /** Run after `plan`: the mails that bring each recipient's invitation to the current revision. */
  planInvitations(mode: InvitationMode, busy: (userId: string) => boolean): InvitationOp[] {
    const held = this.calendars.all.filter((c) => c.connectionId !== null && c.state !== 'deleted' && c.state !== 'skipped');
    const hasCalendar = (userId: string) => held.some((c) => c.userId === userId);
    return this.desired ? this.invitations.plan({ desired: this.desired, revision: this.revision, mode, hasCalendar, busy }) : [];
  }

  record(userId: string, connectionId: string): CalendarRecord | undefined {
    return this.calendars.get(userId, connectionId);
  }

  markUpserted(op: ReconcileOp, revision: number, externalEventId: string, calendarId: string, nowIso: string): void {
    this.calendars.markUpserted(op, revision, externalEventId, calendarId, nowIso);
  }

  markDeleted(op: ReconcileOp, revision: number, nowIso: string): void {
    this.calendars.markDeleted(op, revision, nowIso);
  }

  markFailed(op: ReconcileOp, message: string): void {
    this.calendars.markFailed(op, message);
  }

  markSkipped(op: ReconcileOp, message: string): void {
    this.calendars.markSkipped(op, message);
  }

  markAwaitingReauth(op: ReconcileOp, message: string): void {
    this.calendars.markAwaitingReauth(op, message);
  }

  private get lanes(): Array<Pick<CalendarRecord, 'state' | 'awaitingReauth'>> {
    return [...this.calendars.all, ...this.invitations.all];
  }

  /** Nothing left to do: every calendar and invitation is synced, deleted, skipped or failed for good. */
  get settled(): boolean {
    return this.lanes.every((lane) => lane.state !== 'pending');
  }

  get syncState(): SyncState {
    const lanes = this.lanes;
    if (lanes.some((lane) => lane.state === 'failed' || lane.awaitingReauth)) return 'degraded';
    return lanes.some((lane) => lane.state === 'pending') || this.dirty || this.reconciling ? 'pending' : 'synced';
  }

  view(): BookingView | null {
    const desired = this.desired;
    if (!desired) return null;
    const booking = { bookingId: this.bookingId, status: desired.status, version: this.version, details: desired.details };
    return bookingView(
      desired.cancelReason !== undefined ? { ...booking, cancelReason: desired.cancelReason } : booking,
      [...this.calendars.views(), ...this.invitations.views()],
      this.syncState,
    );
  }

  carry(): CarriedState {
    return {
      desired: this.desired,
      revision: this.revision,
      savedRevision: this.savedRevision,
      calendars: this.calendars.carry(),
      invitations: this.invitations.carry(),
    };
  }
}
