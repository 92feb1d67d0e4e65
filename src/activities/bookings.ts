import type { BookingProjection, BookingStatus, ReconcileTargets } from '../domain/booking';
import type { ActivityDeps } from './deps';

export interface PrepareReconcileInput {
  bookingId: string;
  userIds: string[];
  /** Set when the desired state changed since the last save. */
  projection?: BookingProjection;
}

export type PriorStatus = { status: BookingStatus; revision: number };

export function createBookingActivities(deps: ActivityDeps) {
  /**
   * One round trip before each reconcile pass (plus one to audit skipped participants, when there
   * are any): on a new workflow's first pass, what the database remembers of the booking; when it
   * remembers nothing, or on later passes, the booking projection saved when it changed, and the
   * calendars of the users involved. Participants with no usable calendar are audited as skipped
   * once per revision.
   */
  async function prepare(
    input: PrepareReconcileInput,
    firstPass: boolean,
  ): Promise<{ prior: PriorStatus | null; targets: ReconcileTargets }> {
    const { prior, accounts } = await deps.bookings.prepareReconcile({ ...input, firstPass });
    if (prior) return { prior, targets: { calendars: [], invitations: 'off' } };
    const targets = accounts.map((c) => ({
      userId: c.userId,
      connectionId: c.id,
      provider: c.provider,
      calendarId: c.calendarId,
      usable: c.status !== 'disconnected',
      needsReauth: c.status === 'needs_reauth',
      syncEnabled: c.syncEnabled,
      removing: c.removingEvents,
    }));
    const projection = input.projection;
    if (projection?.status === 'confirmed') {
      const covered = new Set(targets.filter((t) => t.usable && t.syncEnabled && !t.removing).map((t) => t.userId));
      await deps.syncLog.append(
        projection.details.participants
          .filter((participant) => participant.sync === false || !covered.has(participant.userId))
          .map((participant) => ({
            bookingId: projection.bookingId,
            userId: participant.userId,
            operation: 'skip' as const,
            outcome: 'ok' as const,
            revision: projection.revision,
            detail: participant.sync === false ? 'sync off for this participant' : 'no connected calendar',
          })),
      );
    }
    return { prior: null, targets: { calendars: targets, invitations: deps.invitations?.mode ?? 'off' } };
  }

  return {
    /** Saves the booking projection when it changed, and returns the calendars of the users involved and whether invitations are on. */
    async prepareReconcile(input: PrepareReconcileInput): Promise<ReconcileTargets> {
      return (await prepare(input, false)).targets;
    },

    /**
     * A new workflow's first pass, in one round trip: what the database remembers of the booking
     * from an earlier workflow (its history may be gone), and when it remembers nothing, the
     * usual preparation. With a prior, nothing is saved: the workflow adopts it and plans again.
     */
    prepareFirstReconcile(input: PrepareReconcileInput): Promise<{ prior: PriorStatus | null; targets: ReconcileTargets }> {
      return prepare(input, true);
    },
  };
}
