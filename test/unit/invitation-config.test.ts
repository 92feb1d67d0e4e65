import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { mailError } from '../../src/mail/smtp-mailer';
import { DEVELOPMENT_ENV, problems } from './support/config-env';

const base = DEVELOPMENT_ENV;
const SMTP_URL = 'smtp://mailer:hunter2-secret@mail.example.com:587';

describe('invitation settings', () => {
  it('are off by default and need SMTP_URL and INVITATION_FROM when on', () => {
    expect(loadConfig(base).invitations).toEqual({ mode: 'off', smtpUrl: undefined, from: undefined });
    expect(problems({ ...base, INVITATIONS: 'unconnected' })).toEqual([
      'SMTP_URL is required when INVITATIONS is unconnected',
      'INVITATION_FROM is required when INVITATIONS is unconnected',
    ]);
    const on = loadConfig({ ...base, INVITATIONS: 'all', SMTP_URL, INVITATION_FROM: 'Tutoring <bookings@tutoring.example>' });
    expect(on.invitations).toEqual({ mode: 'all', smtpUrl: SMTP_URL, from: 'Tutoring <bookings@tutoring.example>' });
  });

  it('refuses a bad mode, a non-SMTP URL (without echoing it) and a sender that is not an address', () => {
    const found = problems({
      ...base,
      INVITATIONS: 'sometimes',
      SMTP_URL: 'https://mailer:hunter2-secret@mail.example.com',
      INVITATION_FROM: 'Bookings <not an address>',
    });
    expect(found).toEqual([
      'INVITATIONS must be off, unconnected or all',
      'SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:password@host:587)',
      'INVITATION_FROM must be an e-mail address, optionally with a name: Bookings <bookings@example.com>',
    ]);
    expect(found.join('\n')).not.toContain('hunter2');
  });
});

describe('SMTP failures', () => {
  it('are permanent only for a 5xx answer other than an authentication refusal, and never carry the server text', () => {
    const recipient = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 <bob@example.com>"), {
      code: 'EENVELOPE',
      responseCode: 550,
    });
    expect(mailError(recipient)).toMatchObject({ permanent: true, message: 'SMTP EENVELOPE 550' });
    expect(mailError(Object.assign(new Error('busy'), { code: 'EMESSAGE', responseCode: 451 }))).toMatchObject({ permanent: false });
    expect(mailError(Object.assign(new Error('bad login'), { code: 'EAUTH', responseCode: 535 }))).toMatchObject({ permanent: false });
    expect(mailError(Object.assign(new Error('refused'), { code: 'ECONNECTION' }))).toMatchObject({
      permanent: false,
      message: 'SMTP ECONNECTION',
    });
  });
});
