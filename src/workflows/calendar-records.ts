/**
 * The booking's per-calendar records as plain deterministic state (no Temporal imports), beside
 * its invitation lanes: one record per participant's calendar saying what the workflow last
 * wrote there, and what the operations that ended made of it.
 */
import type { CalendarView } from '../domain/booking';
import { calendarView } from '../domain/booking-view';
import { recordKey, type CalendarRecord, type ReconcileOp } from './booking-records';

export class CalendarRecords {
  private readonly records = new Map<string, CalendarRecord>();
  /**
   * Participants erased in this run: an operation of theirs still in flight when they were
   * erased ends without a record, so nothing in the booking names them again. A confirm that
   * names them again takes them out. Not carried: continue-as-new waits for idle lanes.
   */
  private readonly erased = new Set<string>();

  constructor(carried: CalendarRecord[] = []) {
    for (const calendar of carried) this.records.set(recordKey(calendar.userId, calendar.connectionId), { ...calendar });
  }

  get(userId: string, connectionId: string | null): CalendarRecord | undefined {
    return this.records.get(recordKey(userId, connectionId));
  }

  set(calendar: CalendarRecord): void {
    this.records.set(recordKey(calendar.userId, calendar.connectionId), calendar);
  }

  delete(userId: string, connectionId: string | null): void {
    this.records.delete(recordKey(userId, connectionId));
  }

  /** Every record by its `recordKey`, in insertion order; deleting the current one while iterating is safe (a Map's iteration). */
  entries(): Iterable<[string, CalendarRecord]> {
    return this.records.entries();
  }

  get all(): CalendarRecord[] {
    return [...this.records.values()];
  }

  /** A confirm names these participants again: their operations record outcomes again. */
  remember(userIds: Iterable<string>): void {
    for (const userId of userIds) this.erased.delete(userId);
  }

  /** An erased participant: their records go, and operations of theirs that end later leave none. Returns whether any went. */
  forget(userId: string): boolean {
    this.erased.add(userId);
    let forgot = false;
    for (const [key, calendar] of this.records) {
      if (calendar.userId !== userId) continue;
      this.records.delete(key);
      forgot = true;
    }
    return forgot;
  }

  /** The calendar account was (re)connected: its event must be written again even if we think it is. */
  resync(connectionId: string): void {
    for (const calendar of this.records.values()) {
      if (calendar.connectionId === connectionId) {
        calendar.syncedRevision = undefined;
        calendar.awaitingReauth = false;
      }
    }
  }

  markUpserted(op: ReconcileOp, revision: number, externalEventId: string, calendarId: string, nowIso: string): void {
    const calendar = this.settle(op, 'synced', revision, nowIso);
    calendar.externalEventId = externalEventId;
    calendar.calendarId = calendarId;
  }

  markDeleted(op: ReconcileOp, revision: number, nowIso: string): void {
    this.settle(op, 'deleted', revision, nowIso);
  }

  /** The calendar reached `revision`: whatever failed or waited before is over. */
  private settle(op: ReconcileOp, state: 'synced' | 'deleted', revision: number, nowIso: string): CalendarRecord {
    const calendar = this.ensure(op);
    calendar.state = state;
    calendar.syncedRevision = revision;
    calendar.syncedAt = nowIso;
    calendar.lastError = undefined;
    calendar.awaitingReauth = false;
    return calendar;
  }

  markFailed(op: ReconcileOp, message: string): void {
    const calendar = this.ensure(op);
    calendar.state = 'failed';
    calendar.lastError = message;
  }

  markSkipped(op: ReconcileOp, message: string): void {
    const calendar = this.ensure(op);
    calendar.state = 'skipped';
    calendar.lastError = message;
  }

  markAwaitingReauth(op: ReconcileOp, message: string): void {
    const calendar = this.ensure(op);
    calendar.state = 'pending';
    calendar.lastError = message;
    calendar.awaitingReauth = true;
  }

  private ensure(op: ReconcileOp): CalendarRecord {
    const key = recordKey(op.userId, op.connectionId);
    let calendar = this.records.get(key);
    if (!calendar) {
      calendar = { userId: op.userId, connectionId: op.connectionId, provider: op.provider, state: 'pending' };
      if (!this.erased.has(op.userId)) this.records.set(key, calendar);
    }
    return calendar;
  }

  views(): CalendarView[] {
    return this.all.map(calendarView);
  }

  carry(): CalendarRecord[] {
    return this.all.map((calendar) => ({ ...calendar }));
  }
}
