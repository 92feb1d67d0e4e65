import { startSmtpSandbox, type RunningSmtpSandbox, type SandboxMessage } from 'calendar-emulators/smtp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { bookingWorkflow } from '../../src/workflows/booking';
import { bookingWorkflowId } from '../../src/workflows/messages';
import { confirmBody, eventsFor, getBooking, settled, type TestParticipant } from '../support/bookings';
import { eventually, startHarness, type Harness } from '../support/harness';
import { itipReader, mailsAbout, type Itip } from '../support/itip';

const SMTP_PASSWORD = 'smtp-pa55word-never-logged';
const FROM = 'bookings@tutoring.example';

let h: Harness;
let smtp: RunningSmtpSandbox;
let itipOf: (message: SandboxMessage) => Itip;

beforeAll(async () => {
  itipOf = await itipReader();
  smtp = await startSmtpSandbox();
  h = await startHarness({
    INVITATIONS: 'unconnected',
    SMTP_URL: smtp.smtpUrl.replace('smtp://', `smtp://mailer:${SMTP_PASSWORD}@`),
    INVITATION_FROM: `Tutoring Bookings <${FROM}>`,
  });
});
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

function mailsTo(address: string): SandboxMessage[] {
  return smtp.store.list().filter((m) => m.envelope.to.includes(address));
}

describe('e-mail invitations', () => {
  it('mails a client without a calendar exactly REQUEST, REQUEST (same UID, higher SEQUENCE) and CANCEL through SMTP refusals and a worker restart', async () => {
    const tutorId = h.id('tutor');
    const tutorCalendar = await h.connectGoogle(tutorId);
    const tutor: TestParticipant = { userId: tutorId, role: 'tutor', name: 'Ada Lovelace', email: 'ada@example.com' };
    const client: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob Builder', email: `${h.id('bob')}@example.com` };
    const bookingId = h.id('bk');

    // The first two deliveries are refused (451): the activity retries until the server takes the mail.
    smtp.store.refuseNext(2);
    const refusedBefore = smtp.store.refused;
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client], { version: 1 }))).status).toBe(202);
    await eventually(() => Promise.resolve(mailsTo(client.email).length === 1 || undefined), 'the invitation mailed');
    expect(smtp.store.refused - refusedBefore).toBe(2);
    // The tutor has a calendar: the event goes there, no mail.
    await eventually(
      async () => ((await eventsFor(h, tutorCalendar.email, bookingId)).length === 1 ? true : undefined),
      "the tutor's event",
    );

    // A duplicate of the confirm is not a change: no mail.
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client], { version: 1 }))).status).toBe(202);

    // The reschedule's mail is refused, and the worker is restarted while it is retried.
    smtp.store.refuseNext(2);
    const refusedBeforeMove = smtp.store.refused;
    const moved = await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
      version: 2,
      start: '2030-05-02T15:00:00Z',
      end: '2030-05-02T16:30:00Z',
    });
    expect(moved.status).toBe(202);
    await eventually(() => Promise.resolve(smtp.store.refused > refusedBeforeMove || undefined), 'the first refusal of the update');
    await h.service.restartWorker();
    await eventually(() => Promise.resolve(mailsTo(client.email).length === 2 || undefined), 'the update mailed');
    expect(smtp.store.refused - refusedBeforeMove).toBe(2);

    expect((await h.api('POST', `/v1/bookings/${bookingId}/cancel`, { version: 3, reason: 'tutor ill' })).status).toBe(202);
    // The workflow ends once every lane settled: nothing can be mailed after that.
    await h.service.client.workflow.getHandle<typeof bookingWorkflow>(bookingWorkflowId(bookingId)).result();

    const messages = mailsAbout(smtp.store.list(), bookingId);
    expect(messages.map((m) => m.envelope.to)).toEqual([[client.email], [client.email], [client.email]]);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(3);
    for (const m of messages) expect(m.envelope.from).toBe(FROM);
    const [invite, update, cancel] = messages.map(itipOf);

    const uid = `${bookingId}@127.0.0.1`;
    expect(invite).toMatchObject({
      method: 'REQUEST',
      uid,
      status: 'CONFIRMED',
      start: Date.parse('2030-05-01T15:00:00Z'),
      end: Date.parse('2030-05-01T16:00:00Z'),
      summary: 'Algebra lesson with Ada Lovelace',
      organizer: `mailto:${FROM}`,
      attendees: [`mailto:${client.email.toLowerCase()}`],
    });
    expect(update).toMatchObject({ method: 'REQUEST', uid, status: 'CONFIRMED', start: Date.parse('2030-05-02T15:00:00Z') });
    expect(update!.end).toBe(Date.parse('2030-05-02T16:30:00Z'));
    expect(update!.sequence).toBeGreaterThan(invite!.sequence);
    expect(cancel).toMatchObject({ method: 'CANCEL', uid, status: 'CANCELLED', organizer: `mailto:${FROM}` });
    expect(cancel!.sequence).toBeGreaterThan(update!.sequence);
    expect(messages[0]!.subject).toBe('Invitation: Algebra lesson with Ada Lovelace');
    expect(messages[2]!.subject).toBe('Cancelled: Algebra lesson with Ada Lovelace');

    const view = await getBooking(h, bookingId);
    expect(view.calendars).toContainEqual(
      expect.objectContaining({ userId: client.userId, connectionId: null, provider: 'email', state: 'deleted' }),
    );
    expect(h.logs.join('\n')).not.toContain(SMTP_PASSWORD);

    // The sandbox lists them too, as `npm start` shows them.
    const listed = (await (await fetch(`${smtp.url}/sandbox/messages`)).json()) as { messages: SandboxMessage[] };
    expect(listed.messages.filter((m) => m.envelope.to.includes(client.email)).map((m) => m.subject)).toEqual(
      messages.map((m) => m.subject),
    );
    const page = await (await fetch(smtp.url)).text();
    expect(page).toContain('Cancelled: Algebra lesson with Ada Lovelace');
  });

  it('stops mailing a client who connects a calendar later: the event is written there and the invitation withdrawn once', async () => {
    const tutor: TestParticipant = { userId: h.id('tutor'), role: 'tutor', name: 'Ada Lovelace', email: `${h.id('ada')}@example.com` };
    const client: TestParticipant = { userId: h.id('client'), role: 'client', name: 'Bob Builder', email: `${h.id('bob')}@example.com` };
    const bookingId = h.id('bk');
    expect((await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([tutor, client], { version: 1 }))).status).toBe(202);
    // Neither has a calendar: both are invited.
    await eventually(
      () => Promise.resolve(mailsTo(client.email).length === 1 && mailsTo(tutor.email).length >= 1 ? true : undefined),
      'both invited',
    );

    const connected = await h.connectGoogle(client.userId);
    await eventually(async () => ((await eventsFor(h, connected.email, bookingId)).length === 1 ? true : undefined), "the client's event");
    await eventually(() => Promise.resolve(mailsTo(client.email).length === 2 || undefined), 'the invitation withdrawn');

    expect(
      (
        await h.api('POST', `/v1/bookings/${bookingId}/reschedule`, {
          version: 2,
          start: '2030-05-03T15:00:00Z',
          end: '2030-05-03T16:00:00Z',
        })
      ).status,
    ).toBe(202);
    await settled(h, bookingId, (v) => Date.parse(v.start) === Date.parse('2030-05-03T15:00:00Z'));
    const [event] = await eventsFor(h, connected.email, bookingId);
    expect(Date.parse(event!.start.dateTime!)).toBe(Date.parse('2030-05-03T15:00:00Z'));

    // The client got the invitation and its withdrawal, nothing for the reschedule; the tutor (still without a calendar) got both REQUESTs.
    const clientMails = mailsAbout(mailsTo(client.email), bookingId).map(itipOf);
    expect(clientMails.map((m) => [m.method, m.sequence])).toEqual([
      ['REQUEST', 1],
      ['CANCEL', 1],
    ]);
    const tutorMails = mailsAbout(mailsTo(tutor.email), bookingId).map(itipOf);
    expect(tutorMails.map((m) => [m.method, m.sequence])).toEqual([
      ['REQUEST', 1],
      ['REQUEST', 2],
    ]);
  });
});
