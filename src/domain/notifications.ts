/** The events the booking system is told of (NOTIFY_URL); names are part of the contract. */
export type NotificationType =
  | 'connection.connected'
  | 'connection.needs_reauth'
  /** A (re)connected calendar's bulk sync finished: `{connectionId, userId, provider, counts: {bookings}}`. */
  | 'connection.bulk_sync_completed'
  /** The account went to `error` (calendar gone, permission lost, account disabled, secret unreadable); once per episode. */
  | 'connection.error'
  | 'booking.sync_failed'
  | 'booking.conflict_detected'
  | 'booking.removed_externally'
  | 'booking.moved_externally';
