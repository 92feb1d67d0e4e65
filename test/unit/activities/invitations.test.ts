import { describe, expect, it } from 'vitest';
import { createInvitationActivities, type SendInvitationInput } from '../../../src/activities/invitations';
import type { InvitationSendKey, InvitationSendStore } from '../../../src/db/invitation-sends';
import type { InvitationMail } from '../../../src/events/invitation-mail';
import { MailError, type Mailer } from '../../../src/mail/smtp-mailer';
import { activityEnv, fakeWorld } from './fakes';

class MemorySends implements InvitationSendStore {
  readonly rows = new Map<string, string>();
  private key = (k: InvitationSendKey) => [k.bookingId, k.userId, k.revision, k.method].join('|');
  wasSent(key: InvitationSendKey): Promise<boolean> {
    return Promise.resolve(this.rows.has(this.key(key)));
  }
  recordSent(key: InvitationSendKey, messageId: string): Promise<void> {
    if (!this.rows.has(this.key(key))) this.rows.set(this.key(key), messageId);
    return Promise.resolve();
  }
}

/** A mail server that fails the sends it is told to, then takes the rest. */
class ScriptedMailer implements Mailer {
  readonly sent: InvitationMail[] = [];
  constructor(private readonly failures: MailError[] = []) {}
  send(mail: InvitationMail): Promise<void> {
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    this.sent.push(mail);
    return Promise.resolve();
  }
  close(): void {}
}

const INPUT: SendInvitationInput = {
  bookingId: 'b-1',
  userId: 'bob',
  email: 'bob@example.com',
  method: 'REQUEST',
  revision: 2,
  booking: {
    title: 'Maths',
    start: '2030-01-02T10:00:00Z',
    end: '2030-01-02T11:00:00Z',
    timeZone: 'UTC',
    participants: [
      { userId: 'ada', role: 'tutor', name: 'Ada', email: 'ada@example.com' },
      { userId: 'bob', role: 'client', name: 'Bob', email: 'bob@example.com' },
    ],
  },
};

function setup(failures: MailError[] = []) {
  const world = fakeWorld();
  const sends = new MemorySends();
  const mailer = new ScriptedMailer(failures);
  const deps = {
    ...world.deps,
    invitationSends: sends,
    invitations: { mode: 'unconnected' as const, from: 'Bookings <b@example.com>', mailer, uidHost: 'sync.example.com' },
  };
  return { sends, mailer, activities: createInvitationActivities(deps) };
}

describe('sendInvitation', () => {
  it('mails once per (booking, recipient, revision, method): a retry after the send was recorded sends nothing', async () => {
    const { activities, mailer, sends } = setup();
    expect(await activityEnv().run(activities, 'sendInvitation', INPUT)).toEqual({ ok: true, action: 'sent' });
    expect(await activityEnv().run(activities, 'sendInvitation', INPUT)).toEqual({ ok: true, action: 'already_sent' });
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail).toMatchObject({
      to: 'bob@example.com',
      from: 'Bookings <b@example.com>',
      method: 'REQUEST',
      subject: 'Updated: Maths with Ada',
    });
    expect(mail!.ics).toContain('UID:b-1@sync.example.com');
    expect(mail!.ics).toContain('SEQUENCE:2');
    expect([...sends.rows.values()]).toEqual([mail!.messageId]);

    // The CANCEL of the same revision is another mail.
    await activityEnv().run(activities, 'sendInvitation', { ...INPUT, method: 'CANCEL' });
    expect(mailer.sent.map((m) => m.method)).toEqual(['REQUEST', 'CANCEL']);
    expect(mailer.sent[1]!.messageId).not.toBe(mail!.messageId);
  });

  it('throws a retryable failure on a temporary refusal and returns a permanent one, recording neither', async () => {
    const { activities, sends } = setup([new MailError('SMTP EMESSAGE 451', false), new MailError('SMTP EENVELOPE 550', true)]);
    await expect(activityEnv().run(activities, 'sendInvitation', INPUT)).rejects.toMatchObject({
      type: 'InvitationNotSent',
      nonRetryable: false,
    });
    expect(await activityEnv().run(activities, 'sendInvitation', INPUT)).toEqual({
      ok: false,
      message: 'The mail server refused the invitation (SMTP EENVELOPE 550).',
    });
    expect(sends.rows.size).toBe(0);
  });
});
