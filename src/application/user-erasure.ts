import type { UserSubjects } from '../crypto/user-subject';
import type { CalendarAccountStore } from '../db/calendar-accounts';
import type { ErasureCounts } from '../domain/personal-data';
import type { WorkflowGateway } from '../temporal/workflow-gateway';

/** What `DELETE /v1/users/:userId` answers. */
export interface UserErasureView {
  userId: string;
  status: 'erasing' | 'erased';
  removeEvents: boolean;
  /** Calendar accounts being disconnected (erasing), or that the erasure disconnected (erased). */
  connections: number;
  /** Rows removed per kind (bookings: the bookings the user was taken out of); once erased. */
  erased?: ErasureCounts;
}

export interface UserErasuresDeps {
  subjects: Pick<UserSubjects, 'current'>;
  accounts: Pick<CalendarAccountStore, 'listForUsers'>;
  workflows: Pick<WorkflowGateway, 'eraseUser'>;
  /** How long a request waits for the erasure to finish before answering `erasing` (default 3 s). */
  waitMs?: number;
}

const WAIT_MS = 3_000;

/**
 * Erasing a user: their calendar accounts disconnected (grants revoked, tokens erased, our events
 * removed when asked), every row naming them deleted, their entries taken out of bookings, and a
 * record kept that names them by a keyed hash only. Runs as a workflow, so it finishes after a
 * crash; asking again is harmless. The booking system owns user ids: a later booking or connect
 * for the same id starts afresh (nothing is refused).
 */
export class UserErasures {
  constructor(private readonly deps: UserErasuresDeps) {}

  async erase(userId: string, removeEvents: boolean): Promise<UserErasureView> {
    // Not yet disconnected ones only.
    const live = (await this.deps.accounts.listForUsers([userId])).length;
    const progress = await this.deps.workflows.eraseUser(
      { userId, subject: this.deps.subjects.current(userId), removeEvents },
      this.deps.waitMs ?? WAIT_MS,
    );
    if (progress.kind === 'running') return { userId, status: 'erasing', removeEvents, connections: live };
    return { userId, status: 'erased', removeEvents, connections: progress.result.connections, erased: progress.result.counts };
  }
}
