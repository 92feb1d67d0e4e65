import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSandbox, type RunningSmtpSandbox, type SandboxMessage } from '../src/smtp';

let sandbox: RunningSmtpSandbox;

beforeAll(async () => {
  sandbox = await startSmtpSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n';

function send(to: string, user = 'anyone') {
  const transport = nodemailer.createTransport({ url: sandbox.smtpUrl.replace('smtp://', `smtp://${user}:secret@`) });
  return transport.sendMail({
    from: 'Bookings <bookings@example.test>',
    to,
    subject: `Hello <${to}>`,
    text: 'Hi',
    icalEvent: { method: 'REQUEST', filename: 'invite.ics', content: ICS },
  });
}

describe('SMTP sandbox', () => {
  it('accepts any login, keeps each message parsed with its calendar parts and lists it on its page and API', async () => {
    sandbox.store.reset();
    await send('ann@example.test');
    const [message] = sandbox.store.list();
    expect(message).toMatchObject({
      id: 1,
      envelope: { from: 'bookings@example.test', to: ['ann@example.test'] },
      subject: 'Hello <ann@example.test>',
      from: 'bookings@example.test',
      to: ['ann@example.test'],
    });
    expect(message!.calendars.map((c) => [c.contentType, c.method, c.disposition])).toEqual([
      ['text/calendar', 'REQUEST', 'inline'],
      // nodemailer's attached copy carries no method parameter.
      ['application/ics', null, 'attachment'],
    ]);
    expect(message!.calendars[0]!.content).toBe(ICS);
    expect(message!.raw).toContain('Subject: Hello');

    const api = (await (await fetch(`${sandbox.url}/sandbox/messages`)).json()) as { messages: SandboxMessage[]; refused: number };
    expect(api.messages.map((m) => m.subject)).toEqual(['Hello <ann@example.test>']);
    const page = await (await fetch(sandbox.url)).text();
    // Escaped: the page shows what senders wrote, as text.
    expect(page).toContain('Hello &lt;ann@example.test&gt;');
    expect(page).not.toContain('<ann@example.test>');
  });

  it('refuses deliveries temporarily on demand, counts them, and resets', async () => {
    const bad = await fetch(`${sandbox.url}/sandbox/refusals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: -1 }),
    });
    expect(bad.status).toBe(400);
    const set = await fetch(`${sandbox.url}/sandbox/refusals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });
    expect(set.status).toBe(204);
    const before = sandbox.store.list().length;
    await expect(send('bo@example.test')).rejects.toMatchObject({ responseCode: 451 });
    await send('bo@example.test');
    expect(sandbox.store.list().length).toBe(before + 1);
    expect(sandbox.store.refused).toBeGreaterThanOrEqual(1);

    expect((await fetch(`${sandbox.url}/sandbox/reset`, { method: 'POST' })).status).toBe(204);
    expect(sandbox.store.list()).toEqual([]);
    expect(sandbox.store.refused).toBe(0);
  });

  it('holds the answer to an accepted delivery on demand: the message is listed, its sender waits until release', async () => {
    sandbox.store.reset();
    sandbox.store.holdNext(1);
    let answered = false;
    const sending = send('cy@example.test').then(() => (answered = true));
    for (let i = 0; i < 100 && sandbox.store.held === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.store.held).toBe(1);
    expect(sandbox.store.list().map((m) => m.envelope.to)).toEqual([['cy@example.test']]);
    expect(answered).toBe(false);
    sandbox.store.release();
    await sending;
    expect(sandbox.store.held).toBe(0);
    // Only the next delivery was held.
    await send('cy@example.test');
    expect(sandbox.store.list()).toHaveLength(2);
  });
});
