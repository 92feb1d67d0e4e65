import type { InvitationMethod } from '../domain/invitations';
import type { Queryable } from './pool';

/** One invitation e-mail: a booking's change (revision) mailed to one participant. */
export interface InvitationSendKey {
  bookingId: string;
  userId: string;
  revision: number;
  method: InvitationMethod;
}

/** invitation_sends: which invitation mails went out, so none is sent twice. */
export interface InvitationSendStore {
  wasSent(key: InvitationSendKey): Promise<boolean>;
  /** Records a sent mail; recording it again changes nothing. */
  recordSent(key: InvitationSendKey, messageId: string): Promise<void>;
}

export class PgInvitationSendStore implements InvitationSendStore {
  constructor(private readonly db: Queryable) {}

  async wasSent(key: InvitationSendKey): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'SELECT 1 FROM invitation_sends WHERE booking_id = $1 AND user_id = $2 AND revision = $3 AND method = $4',
      [key.bookingId, key.userId, key.revision, key.method],
    );
    return (rowCount ?? 0) > 0;
  }

  async recordSent(key: InvitationSendKey, messageId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO invitation_sends (booking_id, user_id, revision, method, message_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [key.bookingId, key.userId, key.revision, key.method, messageId],
    );
  }
}
