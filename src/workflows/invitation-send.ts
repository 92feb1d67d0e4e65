import type { BookingDetails } from '../domain/booking';
import { activities } from './activity-options';
import type { InvitationOp } from './booking-records';
import type { BookingState } from './booking-state';
import { emitNotification } from './notification';
import { nowIso } from './workflow-clock';

/**
 * Mails one invitation change through the activity (retried until the mail server takes it) and
 * records what the recipient now holds. A permanent refusal marks the invitation failed and tells
 * the booking system, like a calendar write that cannot succeed.
 */
export async function sendInvitation(state: BookingState, op: InvitationOp, revision: number, booking: BookingDetails): Promise<void> {
  const result = await activities.sendInvitation({
    bookingId: state.bookingId,
    userId: op.userId,
    email: op.email,
    method: op.method,
    revision,
    booking,
  });
  // A plan skipped this recipient while the mail was in flight: plan again.
  if (state.invitations.laneFreed(op.userId)) state.requestPass();
  if (result.ok) {
    state.invitations.markSent(op, revision, nowIso());
    return;
  }
  state.invitations.markFailed(op, revision, result.message);
  await emitNotification('booking.sync_failed', {
    bookingId: state.bookingId,
    userId: op.userId,
    connectionId: null,
    operation: op.method === 'REQUEST' ? 'invite' : 'cancel_invitation',
    reason: 'invitation_refused',
  });
}
