import { z } from 'zod';
import type { NotificationRecord, NotificationStatus, NotificationStore } from '../db/notifications';
import type { WorkflowGateway } from '../temporal/workflow-gateway';
import { decodeCursor, encodeCursor, micros } from './page-cursor';

const LIST = 'notifications';
const position = z.strictObject({ createdMicros: micros, id: z.uuid() });

export type NotificationsError = 'invalid_cursor' | 'notification_not_found' | 'notifications_off';
export type NotificationsResult<T> = { ok: true; value: T } | { ok: false; error: NotificationsError };

export interface NotificationsDeps {
  store: NotificationStore;
  workflows: Pick<WorkflowGateway, 'deliverNotification'>;
  /** NOTIFY_URL and NOTIFY_RETRY_FOR; no URL = nothing is sent, so nothing can be redelivered. */
  notifyUrl: string | undefined;
  retryForMs: number;
}

/** The notifications the booking system was (or could not be) sent: listing and redelivery. */
export class Notifications {
  constructor(private readonly deps: NotificationsDeps) {}

  async page(
    status: NotificationStatus | undefined,
    cursor: string | undefined,
    limit: number,
  ): Promise<NotificationsResult<{ notifications: NotificationRecord[]; nextCursor: string | null }>> {
    const after = cursor === undefined ? null : decodeCursor(LIST, cursor, position);
    if (after === undefined) return { ok: false, error: 'invalid_cursor' };
    const page = await this.deps.store.page(status, after, limit);
    return { ok: true, value: { notifications: page.notifications, nextCursor: page.next ? encodeCursor(LIST, page.next) : null } };
  }

  /**
   * Sends a notification again, under the same id (receivers dedupe on it) and newly signed.
   * Idempotent: a pending one is left to the run delivering it, or (when none runs, e.g. the
   * process stopped between reopening it and starting its run) a run is started for it. A
   * delivered or failed one may still have its last run open, past its delivery and about to
   * close: that run is replaced, or the redelivery would be left to a run that sends nothing.
   */
  async redeliver(id: string): Promise<NotificationsResult<NotificationRecord>> {
    if (!this.deps.notifyUrl) return { ok: false, error: 'notifications_off' };
    const reopened = await this.deps.store.reopen(id);
    if (!reopened) return { ok: false, error: 'notification_not_found' };
    await this.deps.workflows.deliverNotification(id, this.deps.retryForMs, reopened.reopened ? 'replace' : 'join');
    return { ok: true, value: reopened.record };
  }
}
