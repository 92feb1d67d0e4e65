import { ApplicationFailure } from '@temporalio/activity';
import type { BookingDetails } from '../domain/booking';
import type { InvitationMethod } from '../domain/invitations';
import { buildInvitationMail } from '../events/invitation-mail';
import { MailError } from '../mail/smtp-mailer';
import type { ActivityDeps } from './deps';

export interface SendInvitationInput {
  bookingId: string;
  userId: string;
  email: string;
  method: InvitationMethod;
  /** The booking revision this mail brings the recipient to (its SEQUENCE). */
  revision: number;
  booking: BookingDetails;
}

export type SendInvitationResult = { ok: true; action: 'sent' | 'already_sent' | 'disabled' } | { ok: false; message: string };

export function createInvitationActivities(deps: ActivityDeps) {
  return {
    /**
     * Mails one invitation (REQUEST) or its withdrawal (CANCEL), once: a mail recorded as sent
     * is not sent again, so a retry after a lost answer or a worker crash does not duplicate it
     * (a crash between the server's acceptance and the record resends it with the same
     * Message-ID). Connection problems and temporary refusals throw and Temporal retries; a
     * permanent refusal (5xx) is returned, for the workflow to record.
     */
    async sendInvitation(input: SendInvitationInput): Promise<SendInvitationResult> {
      const invitations = deps.invitations;
      // Turned off since the workflow planned it: nothing to send with.
      if (!invitations) return { ok: true, action: 'disabled' };
      const key = { bookingId: input.bookingId, userId: input.userId, revision: input.revision, method: input.method };
      if (await deps.invitationSends.wasSent(key)) return { ok: true, action: 'already_sent' };
      const mail = buildInvitationMail({
        method: input.method,
        bookingId: input.bookingId,
        revision: input.revision,
        booking: input.booking,
        recipient: { userId: input.userId, email: input.email },
        from: invitations.from,
        uidHost: invitations.uidHost,
        reminders: deps.reminders,
        stamp: new Date(deps.now?.() ?? Date.now()),
      });
      try {
        await invitations.mailer.send(mail);
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        deps.logger.warn(
          { bookingId: input.bookingId, userId: input.userId, method: input.method, failure: err.message },
          'invitation not sent',
        );
        if (err.permanent) return { ok: false, message: `The mail server refused the invitation (${err.message}).` };
        throw ApplicationFailure.retryable(`The invitation could not be sent (${err.message}).`, 'InvitationNotSent');
      }
      await deps.invitationSends.recordSent(key, mail.messageId);
      return { ok: true, action: 'sent' };
    },
  };
}
