/** The events the booking system is told of (NOTIFY_URL); names are part of the contract. */
export type NotificationType =
  | 'connection.connected'
  | 'connection.needs_reauth'
  | 'booking.sync_failed'
  | 'booking.conflict_detected'
  | 'booking.removed_externally'
  | 'booking.moved_externally';
