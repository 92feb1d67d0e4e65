import type { BookingDetails } from './booking';

/**
 * Selective sync: whether this booking reaches `userId` at all (calendar event, feed entry,
 * invitation). False for someone who is not a participant, or whose participant entry says
 * `sync: false`.
 */
export function participantSyncs(details: Pick<BookingDetails, 'participants'>, userId: string): boolean {
  const participant = details.participants.find((p) => p.userId === userId);
  return participant !== undefined && participant.sync !== false;
}
