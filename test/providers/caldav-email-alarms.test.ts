import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createCalendar, ensureRadicale, startRadicale, type RadicaleServer } from '../../tools/support/radicale';
import { CalDavCalendarProvider, objectUrl } from '../../src/providers/caldav';
import { guardedFetch } from '../../src/net/guarded-fetch';
import type { AccessContext, EventSpec } from '../../src/providers/types';

/**
 * The CalDAV adapter's e-mail alarms against a real Radicale, which stores them, and behind a
 * front that refuses any calendar data with an EMAIL alarm (403 valid-calendar-data, as a server
 * without e-mail alarms would): there the event is written with display alarms instead.
 */

let radicale: RadicaleServer;
let front: http.Server;
let frontUrl: string;
const user = { username: `alarm${randomBytes(3).toString('hex')}@example.test`, password: randomBytes(12).toString('hex') };
let calendar: string;
/** PUT bodies the front refused. */
const refused: string[] = [];

/** Buffers each request, refuses a PUT carrying an EMAIL alarm, and forwards the rest to Radicale. */
function startRefusingFront(target: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'PUT' && body.toString().includes('ACTION:EMAIL')) {
        refused.push(body.toString());
        res
          .writeHead(403, { 'content-type': 'application/xml' })
          .end('<error xmlns="DAV:"><valid-calendar-data xmlns="urn:ietf:params:xml:ns:caldav"/></error>');
        return;
      }
      const forward = http.request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.socket?.destroy());
      forward.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  await ensureRadicale();
  radicale = await startRadicale({ users: [user] });
  calendar = await createCalendar(radicale.url, user.username, user.password, { slug: 'lessons', displayName: 'Lessons' });
  front = await startRefusingFront(radicale.url);
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
  await radicale?.stop();
});

// Radicale and the front listen on loopback.
const provider = new CalDavCalendarProvider('caldav', guardedFetch(true));

function spec(bookingId: string, accountReminders: boolean): EventSpec {
  return {
    key: { bookingId, connectionId: 'conn-alarms' },
    title: 'Algebra lesson',
    description: 'Bring homework.',
    start: '2030-05-01T15:00:00Z',
    end: '2030-05-01T16:00:00Z',
    timeZone: 'Europe/London',
    reminders: [
      { method: 'email', minutes: 60 },
      { method: 'popup', minutes: 10 },
    ],
    ...(accountReminders ? { accountReminders: true } : {}),
  };
}

function ctxVia(serverUrl: string): AccessContext {
  return { credentials: { kind: 'basic', ...user, serverUrl }, calendarId: calendar.replace(radicale.url, serverUrl) };
}

async function storedActions(s: EventSpec): Promise<string[]> {
  const res = await fetch(objectUrl(calendar, s.key), { headers: { authorization: basicAuth(user.username, user.password) } });
  expect(res.status).toBe(200);
  return (await res.text()).match(/^ACTION:\w+/gm) ?? [];
}

describe('CalDAV e-mail alarms', () => {
  it("an account's own e-mail reminder is an EMAIL alarm where the server takes it; EVENT_REMINDERS stay display alarms", async () => {
    const own = spec(`own-${randomBytes(3).toString('hex')}`, true);
    await provider.upsertEvent(ctxVia(radicale.url), own);
    expect(await storedActions(own)).toEqual(['ACTION:EMAIL', 'ACTION:DISPLAY']);
    const deployment = spec(`dep-${randomBytes(3).toString('hex')}`, false);
    await provider.upsertEvent(ctxVia(radicale.url), deployment);
    expect(await storedActions(deployment)).toEqual(['ACTION:DISPLAY', 'ACTION:DISPLAY']);
  });

  it('a server that refuses EMAIL alarms gets the event, created and updated, with display alarms', async () => {
    const own = spec(`refused-${randomBytes(3).toString('hex')}`, true);
    const before = refused.length;
    expect((await provider.upsertEvent(ctxVia(frontUrl), own)).action).toBe('created');
    expect(await storedActions(own)).toEqual(['ACTION:DISPLAY', 'ACTION:DISPLAY']);
    expect((await provider.upsertEvent(ctxVia(frontUrl), { ...own, title: 'Algebra lesson, moved' })).action).toBe('updated');
    expect(await storedActions(own)).toEqual(['ACTION:DISPLAY', 'ACTION:DISPLAY']);
    // Each write was tried with the e-mail alarm first.
    expect(refused.length - before).toBe(2);
  });
});
