/**
 * The booking workflow's state, as plain deterministic code (no Temporal imports), so it can be
 * unit-tested on its own. Signals only change the *desired* state here; the workflow's reconcile
 * loop then drives calendars towards it.
 */
import type {
  BookingDetails,
  BookingStatus,
  BookingView,
  CalendarSyncState,
  CalendarTarget,
  CalendarView,
  SyncState,
} from '../domain/booking';
import type { CancelChange, ConfirmChange, RescheduleChange } from './messages';

export type { CalendarTarget };

/** The newest version applied per group of fields; `null` = only unversioned changes so far. */
export interface AppliedVersions {
  details: number | null;
  times: number | null;
}

export interface DesiredBooking {
  status: BookingStatus;
  details: BookingDetails;
  versions: AppliedVersions;
  cancelReason?: string;
}

/** What the workflow knows about one participant's calendar. */
export interface CalendarRecord {
  userId: string;
  connectionId: string | null;
  provider: string | null;
  state: CalendarSyncState;
  externalEventId?: string;
  lastError?: string;
  syncedAt?: string;
  /** The revision this calendar last reached; undefined = never synced. */
  syncedRevision?: number;
  /** Set when the user must reconnect: not retried until the connection is re-driven. */
  awaitingReauth?: boolean;
  /** The calendar our event is in (undefined in state carried from before calendars could change). */
  calendarId?: string;
}

/** Everything carried across continue-as-new. */
export interface CarriedState {
  desired: DesiredBooking | null;
  revision: number;
  calendars: CalendarRecord[];
  savedRevision: number;
}

export type ReconcileOp =
  | {
      kind: 'upsert';
      userId: string;
      connectionId: string;
      provider: string;
      knownExternalEventId?: string;
      /** The user chose another calendar: remove the event from this one first. */
      moveFromCalendarId?: string;
    }
  | { kind: 'delete'; userId: string; connectionId: string; provider: string; knownExternalEventId?: string; calendarId?: string };

/** Applies a change when it is newer than what the group holds; unversioned changes apply in arrival order. */
function isNewer(version: number | undefined, held: number | null): boolean {
  return version === undefined || held === null || version > held;
}

function maxVersion(a: number | null, b: number | undefined): number | null {
  if (b === undefined) return a;
  return a === null ? b : Math.max(a, b);
}

export function recordKey(userId: string, connectionId: string | null): string {
  return `${userId}\u0000${connectionId ?? ''}`;
}

export class BookingState {
  desired: DesiredBooking | null;
  /** Bumped on every applied change: a calendar is in sync when it reached the current revision. */
  revision: number;
  savedRevision: number;
  private readonly calendars = new Map<string, CalendarRecord>();
  /** Set by any change that needs a reconcile pass. */
  dirty = false;
  /** True while a reconcile pass runs: the calendars may not reflect the latest revision yet. */
  reconciling = false;

  constructor(
    readonly bookingId: string,
    carried?: CarriedState,
  ) {
    this.desired = carried?.desired ?? null;
    this.revision = carried?.revision ?? 0;
    this.savedRevision = carried?.savedRevision ?? 0;
    for (const c of carried?.calendars ?? []) this.calendars.set(recordKey(c.userId, c.connectionId), { ...c });
    this.dirty = carried !== undefined && this.desired !== null;
  }

  /** Confirm = the whole booking as of `version`. Ignored once cancelled (cancellation is final). */
  confirm(change: ConfirmChange): boolean {
    const d = this.desired;
    if (d?.status === 'cancelled') return false;
    if (!d) {
      this.desired = {
        status: 'confirmed',
        details: change.booking,
        versions: { details: change.version ?? null, times: change.version ?? null },
      };
      return this.bump();
    }
    let changed = false;
    if (isNewer(change.version, d.versions.details)) {
      const { start: _s, end: _e, timeZone: _z, ...rest } = change.booking;
      d.details = { ...d.details, ...rest, description: rest.description, location: rest.location, meetingUrl: rest.meetingUrl };
      d.versions.details = maxVersion(d.versions.details, change.version);
      changed = true;
    }
    if (isNewer(change.version, d.versions.times)) {
      d.details = { ...d.details, start: change.booking.start, end: change.booking.end, timeZone: change.booking.timeZone };
      d.versions.times = maxVersion(d.versions.times, change.version);
      changed = true;
    }
    return changed ? this.bump() : false;
  }

  reschedule(change: RescheduleChange): boolean {
    const d = this.desired;
    if (!d || d.status === 'cancelled' || !isNewer(change.version, d.versions.times)) return false;
    d.details = {
      ...d.details,
      start: change.start,
      end: change.end,
      timeZone: change.timeZone ?? d.details.timeZone,
    };
    d.versions.times = maxVersion(d.versions.times, change.version);
    return this.bump();
  }

  /** Cancellation is final whatever its version: a late or reordered change never resurrects it. */
  cancel(change: CancelChange): boolean {
    const d = this.desired;
    if (!d || d.status === 'cancelled') return false;
    d.status = 'cancelled';
    d.cancelReason = change.reason;
    return this.bump();
  }

  /**
   * Merges what the database remembers from an earlier workflow of the same booking (its
   * history may be gone): revisions continue from there and a cancellation stays final.
   */
  adoptPrior(prior: { status: BookingStatus; revision: number }): void {
    this.revision = Math.max(this.revision, prior.revision);
    this.savedRevision = Math.min(this.savedRevision, this.revision);
    if (prior.status === 'cancelled' && this.desired && this.desired.status !== 'cancelled') {
      this.desired.status = 'cancelled';
    }
    if (this.desired) this.bump();
  }

  /** A connection was (re)connected: its event must be written again even if we think it is. */
  resync(connectionId: string): void {
    for (const c of this.calendars.values()) {
      if (c.connectionId === connectionId) {
        c.syncedRevision = undefined;
        c.awaitingReauth = false;
      }
    }
    this.dirty = true;
  }

  private bump(): boolean {
    this.revision += 1;
    this.dirty = true;
    return true;
  }

  /** The newest booking-system version applied, if the booking system sends versions. */
  get version(): number | null {
    const v = this.desired?.versions;
    if (!v || (v.details === null && v.times === null)) return null;
    return Math.max(v.details ?? 0, v.times ?? 0);
  }

  get participantUserIds(): string[] {
    return this.desired ? this.desired.details.participants.map((p) => p.userId) : [];
  }

  /** Users whose calendars we may still have to clean up (former participants included). */
  get userIdsToResolve(): string[] {
    const ids = new Set(this.participantUserIds);
    for (const c of this.calendars.values()) ids.add(c.userId);
    return [...ids];
  }

  /**
   * Level-triggered plan: compares the desired booking with what each calendar holds and returns
   * the operations that close the gap. Records participants without a usable calendar as skipped.
   * Calendars with an operation still in flight (`busy`) are left alone: they are planned again
   * when it ends, so one calendar never has two writes racing.
   */
  plan(targets: CalendarTarget[], nowIso: string, busy: (op: ReconcileOp) => boolean = () => false): ReconcileOp[] {
    const d = this.desired;
    if (!d) return [];
    const ops: ReconcileOp[] = [];
    const wanted = new Set<string>();
    const participants = new Set(this.participantUserIds);

    if (d.status === 'confirmed') {
      for (const userId of participants) {
        const mine = targets.filter(
          (t) =>
            t.userId === userId &&
            t.usable &&
            !t.removing &&
            (t.syncEnabled || this.calendars.get(recordKey(userId, t.connectionId))?.externalEventId !== undefined),
        );
        if (mine.length === 0) {
          this.setRecord({ userId, connectionId: null, provider: null, state: 'skipped', syncedAt: nowIso });
          continue;
        }
        this.calendars.delete(recordKey(userId, null));
        for (const t of mine) {
          const key = recordKey(userId, t.connectionId);
          wanted.add(key);
          const rec = this.calendars.get(key) ?? { userId, connectionId: t.connectionId, provider: t.provider, state: 'pending' };
          this.calendars.set(key, rec);
          if (t.needsReauth) {
            rec.state = 'pending';
            rec.awaitingReauth = true;
            rec.lastError = 'The calendar connection needs to be reconnected by its user.';
            continue;
          }
          // Reconnected (the database no longer says needs_reauth): try again.
          rec.awaitingReauth = false;
          const moved = rec.externalEventId !== undefined && rec.calendarId !== undefined && rec.calendarId !== t.calendarId && rec.state !== 'deleted';
          if (!moved && rec.syncedRevision === this.revision && rec.state === 'synced') continue;
          const op: ReconcileOp = moved
            ? { kind: 'upsert', userId, connectionId: t.connectionId, provider: t.provider, moveFromCalendarId: rec.calendarId }
            : { kind: 'upsert', userId, connectionId: t.connectionId, provider: t.provider, knownExternalEventId: rec.externalEventId };
          if (busy(op)) continue;
          rec.state = 'pending';
          ops.push(op);
        }
      }
    }

    // Everything we wrote that is no longer wanted (cancelled, participant removed) goes.
    const byConnection = new Map(targets.map((t) => [t.connectionId, t]));
    for (const [key, rec] of this.calendars) {
      if (wanted.has(key) || rec.connectionId === null) {
        if (rec.connectionId === null && !participants.has(rec.userId)) this.calendars.delete(key);
        if (rec.connectionId === null && d.status === 'cancelled') rec.state = 'skipped';
        continue;
      }
      if (rec.state === 'deleted' || rec.state === 'skipped') continue;
      const t = byConnection.get(rec.connectionId);
      if (!t || !t.usable) {
        // The connection is gone: nothing we can (or need to) remove there.
        rec.state = 'skipped';
        rec.lastError = 'The calendar connection was removed.';
        continue;
      }
      if (t.needsReauth) {
        rec.awaitingReauth = true;
        rec.lastError = 'The calendar connection needs to be reconnected by its user.';
        continue;
      }
      rec.awaitingReauth = false;
      const op: ReconcileOp = {
        kind: 'delete',
        userId: rec.userId,
        connectionId: rec.connectionId,
        provider: rec.provider ?? t.provider,
        knownExternalEventId: rec.externalEventId,
        ...(rec.calendarId !== undefined ? { calendarId: rec.calendarId } : {}),
      };
      if (busy(op)) continue;
      rec.state = 'pending';
      ops.push(op);
    }
    return ops;
  }

  private setRecord(rec: CalendarRecord): void {
    this.calendars.set(recordKey(rec.userId, rec.connectionId), rec);
  }

  record(userId: string, connectionId: string): CalendarRecord | undefined {
    return this.calendars.get(recordKey(userId, connectionId));
  }

  markUpserted(op: ReconcileOp, revision: number, externalEventId: string, calendarId: string, nowIso: string): void {
    const rec = this.ensure(op);
    rec.state = 'synced';
    rec.externalEventId = externalEventId;
    rec.calendarId = calendarId;
    rec.syncedRevision = revision;
    rec.syncedAt = nowIso;
    rec.lastError = undefined;
    rec.awaitingReauth = false;
  }

  markDeleted(op: ReconcileOp, revision: number, nowIso: string): void {
    const rec = this.ensure(op);
    rec.state = 'deleted';
    rec.syncedRevision = revision;
    rec.syncedAt = nowIso;
    rec.lastError = undefined;
    rec.awaitingReauth = false;
  }

  markFailed(op: ReconcileOp, message: string): void {
    const rec = this.ensure(op);
    rec.state = 'failed';
    rec.lastError = message;
  }

  markSkipped(op: ReconcileOp, message: string): void {
    const rec = this.ensure(op);
    rec.state = 'skipped';
    rec.lastError = message;
  }

  markAwaitingReauth(op: ReconcileOp, message: string): void {
    const rec = this.ensure(op);
    rec.state = 'pending';
    rec.lastError = message;
    rec.awaitingReauth = true;
  }

  private ensure(op: ReconcileOp): CalendarRecord {
    const key = recordKey(op.userId, op.connectionId);
    let rec = this.calendars.get(key);
    if (!rec) {
      rec = { userId: op.userId, connectionId: op.connectionId, provider: op.provider, state: 'pending' };
      this.calendars.set(key, rec);
    }
    return rec;
  }

  /** Nothing left to do: every calendar is synced, deleted, skipped or failed for good. */
  get settled(): boolean {
    for (const c of this.calendars.values()) if (c.state === 'pending') return false;
    return true;
  }

  get syncState(): SyncState {
    let pending = false;
    for (const c of this.calendars.values()) {
      if (c.state === 'failed' || c.awaitingReauth) return 'degraded';
      if (c.state === 'pending') pending = true;
    }
    return pending || this.dirty || this.reconciling ? 'pending' : 'synced';
  }

  view(): BookingView | null {
    const d = this.desired;
    if (!d) return null;
    const calendars: CalendarView[] = [...this.calendars.values()].map((c) => ({
      userId: c.userId,
      connectionId: c.connectionId,
      provider: c.provider,
      state: c.state,
      ...(c.externalEventId ? { externalEventId: c.externalEventId } : {}),
      ...(c.lastError ? { lastError: c.lastError } : {}),
      ...(c.syncedAt ? { syncedAt: c.syncedAt } : {}),
    }));
    return {
      bookingId: this.bookingId,
      status: d.status,
      version: this.version,
      title: d.details.title,
      ...(d.details.description !== undefined ? { description: d.details.description } : {}),
      start: d.details.start,
      end: d.details.end,
      timeZone: d.details.timeZone,
      ...(d.details.location !== undefined ? { location: d.details.location } : {}),
      ...(d.details.meetingUrl !== undefined ? { meetingUrl: d.details.meetingUrl } : {}),
      participants: d.details.participants.map((p) => ({ userId: p.userId, role: p.role, name: p.name })),
      ...(d.cancelReason !== undefined ? { cancelReason: d.cancelReason } : {}),
      syncState: this.syncState,
      calendars,
    };
  }

  carry(): CarriedState {
    return {
      desired: this.desired,
      revision: this.revision,
      savedRevision: this.savedRevision,
      calendars: [...this.calendars.values()].map((c) => ({ ...c })),
    };
  }
}
