/**
 * The booking's e-mail invitations as plain deterministic state (no Temporal imports), beside the
 * calendar records of BookingState: one record per recipient saying which revision (SEQUENCE) and
 * method was mailed last, so a replay, a duplicate signal or a second pass never mails a change twice.
 */
import type { CalendarView } from '../domain/booking';
import type { InvitationMode } from '../domain/invitations';
import type { DesiredBooking, InvitationOp, InvitationRecord } from './booking-records';

export interface InvitationPlanInput {
  desired: DesiredBooking;
  revision: number;
  mode: InvitationMode;
  /** The participant has a calendar of theirs that this booking's event is (or is being) written to. */
  hasCalendar: (userId: string) => boolean;
  /** A mail to this participant is in flight: plan them again when it ends. */
  busy: (userId: string) => boolean;
}

export class InvitationLanes {
  private readonly records = new Map<string, InvitationRecord>();
  /** Recipients left behind because their lane was busy: a pass is due when it frees. */
  private readonly deferred = new Set<string>();

  constructor(carried: InvitationRecord[] = []) {
    for (const record of carried) this.records.set(record.userId, { ...record });
  }

  /**
   * Level-triggered, like the calendar plan: a participant who should be invited and has not
   * been mailed the current revision gets a REQUEST; one who was invited but no longer should be
   * (the booking was cancelled, they connected a calendar, left the booking or turned sync off)
   * gets one CANCEL, so the invitation's copy does not stay beside the calendar event.
   */
  plan(input: InvitationPlanInput): InvitationOp[] {
    const { desired, revision, mode } = input;
    // Turned off: no mail at all, not even a CANCEL for what was sent while it was on.
    if (mode === 'off') return [];
    const ops: InvitationOp[] = [];
    const wanted = new Set<string>();
    if (desired.status === 'confirmed') {
      for (const participant of desired.details.participants) {
        if (participant.sync === false || (mode === 'unconnected' && input.hasCalendar(participant.userId))) continue;
        wanted.add(participant.userId);
        const record = this.records.get(participant.userId) ?? { userId: participant.userId, email: participant.email, state: 'pending' };
        this.records.set(participant.userId, record);
        const current = record.sentMethod === 'REQUEST' && record.sentRevision === revision && record.email === participant.email;
        if (current || record.failedRevision === revision) continue;
        this.add(ops, record, { userId: participant.userId, email: participant.email, method: 'REQUEST' }, input);
      }
    }
    for (const record of this.records.values()) {
      if (wanted.has(record.userId)) continue;
      if (record.sentMethod === undefined) {
        // Never mailed: nothing to withdraw.
        this.records.delete(record.userId);
        continue;
      }
      if (record.sentMethod === 'CANCEL' || record.failedRevision === revision) continue;
      this.add(ops, record, { userId: record.userId, email: record.email, method: 'CANCEL' }, input);
    }
    return ops;
  }

  private add(ops: InvitationOp[], record: InvitationRecord, op: InvitationOp, input: InvitationPlanInput): void {
    record.state = 'pending';
    if (input.busy(op.userId)) {
      this.deferred.add(op.userId);
      return;
    }
    ops.push(op);
  }

  /** The mail went out (or had gone out before a retry): the recipient holds `revision`. */
  markSent(op: InvitationOp, revision: number, nowIso: string): void {
    const record = this.ensure(op);
    record.state = op.method === 'REQUEST' ? 'synced' : 'deleted';
    record.email = op.email;
    record.sentMethod = op.method;
    record.sentRevision = revision;
    record.sentAt = nowIso;
    record.failedRevision = undefined;
    record.lastError = undefined;
  }

  /** The mail server refused this mail for good (e.g. an unknown mailbox). */
  markFailed(op: InvitationOp, revision: number, message: string): void {
    const record = this.ensure(op);
    record.state = 'failed';
    record.failedRevision = revision;
    record.lastError = message;
  }

  /** The lane of `userId` freed up: true when a plan skipped it meanwhile, so a pass is due. */
  laneFreed(userId: string): boolean {
    return this.deferred.delete(userId);
  }

  private ensure(op: InvitationOp): InvitationRecord {
    let record = this.records.get(op.userId);
    if (!record) {
      record = { userId: op.userId, email: op.email, state: 'pending' };
      this.records.set(op.userId, record);
    }
    return record;
  }

  get all(): InvitationRecord[] {
    return [...this.records.values()];
  }

  /** As `GET /v1/bookings/:id` lists them among the calendars: provider `email`, no connection. */
  views(): CalendarView[] {
    return this.all.map((record) => ({
      userId: record.userId,
      connectionId: null,
      provider: 'email',
      state: record.state,
      ...(record.lastError ? { lastError: record.lastError } : {}),
      ...(record.sentAt ? { syncedAt: record.sentAt } : {}),
    }));
  }

  /** An erased participant: no mail of any kind goes to them any more, and their record (their address) is gone. */
  forget(userId: string): void {
    this.records.delete(userId);
    this.deferred.delete(userId);
  }

  carry(): InvitationRecord[] {
    return this.all.map((record) => ({ ...record }));
  }
}
