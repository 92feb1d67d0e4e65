import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reminder } from '../../src/events/reminders';
import {
  MicrosoftCalendarProvider,
  MicrosoftOAuth,
  TAG_PROPERTY_ID,
  tagValue,
  type OutlookReminderChoice,
} from '../../src/providers/microsoft';
import type { AccessContext, EventKey, EventSpec } from '../../src/providers/types';
import { MicrosoftSandboxControl, startMicrosoftSandbox, type RunningMicrosoftSandbox } from 'calendar-emulators/microsoft';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';

/** What the Outlook adapter sends beyond the shared contract: its one reminder and its Prefer header. */
const CLIENT = { clientId: 'options-client', clientSecret: 'options-secret' };
const REMINDERS: Reminder[] = [
  { method: 'email', minutes: 1440 },
  { method: 'popup', minutes: 60 },
  { method: 'popup', minutes: 15 },
];

let sandbox: RunningMicrosoftSandbox;
let control: MicrosoftSandboxControl;
let proxy: FaultProxy;
let ctx: AccessContext;
let email: string;

beforeAll(async () => {
  sandbox = await startMicrosoftSandbox({ port: 0, ...CLIENT });
  control = new MicrosoftSandboxControl(sandbox.url);
  proxy = await startFaultProxy(sandbox.url);
  email = `options-${randomBytes(4).toString('hex')}@contoso.test`;
  const oauth = new MicrosoftOAuth({ ...CLIENT, loginUrl: sandbox.url, tenant: 'common', graphUrl: `${sandbox.url}/v1.0` });
  const redirectUri = 'http://127.0.0.1/callback';
  const { code } = await control.authorize({ email, clientId: CLIENT.clientId, redirectUri, scope: oauth.scopes.join(' ') });
  const tokens = await oauth.exchangeCode({ code, redirectUri });
  ctx = { credentials: { kind: 'bearer', accessToken: tokens.accessToken }, calendarId: 'primary' };
});

afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
});

function spec(over: Partial<EventSpec> = {}): EventSpec {
  const key: EventKey = { bookingId: `opt-${randomBytes(5).toString('hex')}`, connectionId: randomBytes(8).toString('hex') };
  return {
    key,
    title: 'Lesson',
    description: 'Algebra',
    start: '2030-03-04T16:00:00Z',
    end: '2030-03-04T17:00:00Z',
    timeZone: 'Europe/London',
    reminders: REMINDERS,
    ...over,
  };
}

async function reminderOf(choice: OutlookReminderChoice | undefined): Promise<{ on: boolean; minutes: number }> {
  const s = spec();
  const provider = new MicrosoftCalendarProvider(`${sandbox.url}/v1.0`, choice);
  await provider.upsertEvent(ctx, s, {});
  const [event] = (await control.listEvents(email)).filter((e) =>
    e.singleValueExtendedProperties?.some((p) => p.id === TAG_PROPERTY_ID && p.value === tagValue(s.key)),
  );
  return { on: event!.isReminderOn, minutes: event!.reminderMinutesBeforeStart };
}

describe('Outlook adapter options', () => {
  it('uses the 15-minute reminder by default, the configured entry of EVENT_REMINDERS, or none', async () => {
    expect(await reminderOf(undefined)).toEqual({ on: true, minutes: 15 });
    expect(await reminderOf({ kind: 'entry', reminder: { method: 'popup', minutes: 60 } })).toEqual({ on: true, minutes: 60 });
    expect((await reminderOf({ kind: 'none' })).on).toBe(false);
  });

  it('asks Graph for immutable ids and times in the booking zone on every write', async () => {
    const provider = new MicrosoftCalendarProvider(`${proxy.url}/v1.0`);
    const s = spec({ timeZone: 'America/New_York' });
    const from = proxy.requests.length;
    const created = await provider.upsertEvent(ctx, s, {});
    await provider.upsertEvent(ctx, { ...s, title: 'Moved lesson' }, { externalEventId: created.externalEventId });
    const writes = proxy.requests.slice(from).filter((r) => r.method === 'POST' || r.method === 'PATCH');
    expect(writes.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    for (const w of writes) {
      expect(w.headers.prefer).toContain('IdType="ImmutableId"');
      expect(w.headers.prefer).toContain('outlook.timezone="America/New_York"');
    }
  });

  it('falls back to UTC, body and Prefer alike, for a zone Graph refuses', async () => {
    const provider = new MicrosoftCalendarProvider(`${proxy.url}/v1.0`);
    const s = spec({ timeZone: 'EST5EDT' });
    const from = proxy.requests.length;
    await provider.upsertEvent(ctx, s, {});
    const posts = proxy.requests.slice(from).filter((r) => r.method === 'POST');
    expect(posts.map((r) => /outlook\.timezone="([^"]+)"/.exec(String(r.headers.prefer))?.[1])).toEqual(['EST5EDT', 'UTC']);
    const [event] = (await control.listEvents(email)).filter((e) =>
      e.singleValueExtendedProperties?.some((p) => p.id === TAG_PROPERTY_ID && p.value === tagValue(s.key)),
    );
    expect(Date.parse(`${event!.start.dateTime.replace(/\.\d+$/, '')}Z`)).toBe(Date.parse(s.start));
  });
});
