import nodemailer from 'nodemailer';
import type { InvitationMail } from '../events/invitation-mail';

/** Sends one invitation; throws a MailError when the server or the connection fails. */
export interface Mailer {
  send(mail: InvitationMail): Promise<void>;
  close(): void;
}

/** What failed, without the server's text (it may quote addresses): whether to retry, and a safe message. */
export class MailError extends Error {
  constructor(
    message: string,
    /** A 5xx answer to the message itself (an unknown mailbox, a refused message): sending again will not help. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };

/** A failed send as a MailError. Authentication refusals stay retryable: an operator fixes SMTP_URL and mails go out. */
export function mailError(err: unknown): MailError {
  const { code, responseCode } = (err ?? {}) as { code?: unknown; responseCode?: unknown };
  const reply = typeof responseCode === 'number' ? responseCode : undefined;
  const kind = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : 'error';
  const permanent = reply !== undefined && reply >= 500 && reply < 600 && kind !== 'EAUTH';
  return new MailError(`SMTP ${kind}${reply !== undefined ? ` ${reply}` : ''}`, permanent);
}

/**
 * Invitations over SMTP (nodemailer), from SMTP_URL (`smtp://user:pass@host:587`, STARTTLS when
 * offered; `smtps://` for TLS from the start). The iTIP object goes both inline, as the
 * `text/calendar; method=…` alternative calendar apps act on, and attached as `invite.ics`.
 */
export function smtpMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, ...TIMEOUTS });
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          // nodemailer puts it in twice: the text/calendar alternative and an application/ics attachment.
          icalEvent: { method: mail.method, filename: 'invite.ics', content: mail.ics },
        });
      } catch (err) {
        throw mailError(err);
      }
    },
    close() {
      transport.close();
    },
  };
}
