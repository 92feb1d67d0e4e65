import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { BusyReadReport, ExternalEditPolicy } from '../activities/busy-times';
import { activities } from './activity-options';
import { bookingWorkflowId, syncConnectionSignal } from './messages';
import { emitNotification } from './notification';

/**
 * Tells the booking system what a busy-time read found (each edit and conflict once: they carry
 * stable ids), and under `restore` has the booking's workflow write the event again: it is the
 * only writer. Then marks them sent.
 */
export async function reportBusyRead(connectionId: string, read: BusyReadReport, policy: ExternalEditPolicy): Promise<void> {
  const edits = read.edits ?? [];
  const conflicts = read.conflicts ?? [];
  if (edits.length === 0 && conflicts.length === 0) return;
  for (const edit of edits) {
    const type = edit.state === 'removed_externally' ? 'booking.removed_externally' : 'booking.moved_externally';
    await emitNotification(type, { bookingId: edit.bookingId, userId: edit.userId, connectionId, policy }, edit.notificationId);
    if (policy === 'restore') {
      // A booking whose workflow has ended (long past) is not restored.
      await getExternalWorkflowHandle(bookingWorkflowId(edit.bookingId))
        .signal(syncConnectionSignal, { connectionId })
        .catch(() => undefined);
    }
  }
  for (const conflict of conflicts) {
    await emitNotification(
      'booking.conflict_detected',
      { bookingId: conflict.bookingId, userId: conflict.userId, connectionId, busyStart: conflict.busyStart, busyEnd: conflict.busyEnd },
      conflict.notificationId,
    );
  }
  await activities.markBusyReportsSent({ connectionId, edits, conflicts });
}
