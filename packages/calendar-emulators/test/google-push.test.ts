import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The Calendar API module alone: the package index loads every Google API (over a thousand type files).
import * as google from 'googleapis/build/src/apis/calendar';
import { CALENDAR_SCOPES, type GoogleEventInput, type SandboxChannelView } from '../src/google';
import { reasonOf, useGoogleSandbox, type ApiResult } from './google-test-client';

// Push notifications (events.watch, channels.stop) delivered to a real HTTP server on
// 127.0.0.1. Nothing here sleeps for a fixed time: tests wait for the receiver or the
// control API to show what they expect, and prove that something was NOT sent by
// waiting for a later message on a witness channel (one queue per channel, in order).

const CLIENT_ID = 'push-client.apps.sandbox';
const CLIENT_SECRET = 'push-secret';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const USER = 'push@sandbox.test';
const EVENTS = '/calendar/v3/calendars/primary/events';
const WATCH = `${EVENTS}/watch`;
const STOP = '/calendar/v3/channels/stop';
const DAY_MS = 24 * 3600 * 1000;

interface Notification {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = number | 'hang';

/** A webhook receiver that records every request and answers as the test says. */
class Receiver {
  readonly received: Notification[] = [];
  answer: (notification: Notification) => Answer = () => 200;
  private readonly held: ServerResponse[] = [];
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        const notification = { path: req.url ?? '', method: req.method ?? '', headers: req.headers, body };
        this.received.push(notification);
        const answer = this.answer(notification);
        if (answer === 'hang') this.held.push(res);
        else res.writeHead(answer).end();
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every request still held open. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) if (!res.writableEnded) res.writeHead(status).end();
  }

  get holding(): number {
    return this.held.length;
  }

  reset(): void {
    this.release();
    this.received.length = 0;
    this.answer = () => 200;
  }

  /** What arrived for one channel, in arrival order. */
  of(channelId: string): Notification[] {
    return this.received.filter((n) => n.headers['x-goog-channel-id'] === channelId);
  }

  numbers(channelId: string): number[] {
    return this.of(channelId).map((n) => Number(n.headers['x-goog-message-number']));
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` returns something truthy; fails with `what` after a generous deadline. */
async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sandbox = useGoogleSandbox({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });
const { connect, api } = sandbox;
let receiver: Receiver;
let token: string;

function event(id: string, summary = 'Lesson'): GoogleEventInput & { id: string } {
  return { id, summary, start: { dateTime: '2030-03-01T10:00:00Z' }, end: { dateTime: '2030-03-01T11:00:00Z' } };
}

/** events.watch on the primary calendar (or `path`), delivering to the receiver. */
async function watch(id: string, extra: Record<string, unknown> = {}, path = WATCH): Promise<ApiResult> {
  return api(token, 'POST', path, { id, type: 'web_hook', address: `${receiver.url}/hook/${id}`, ...extra });
}

async function channel(id: string): Promise<SandboxChannelView | undefined> {
  return (await sandbox.control.listChannels(USER)).find((view) => view.id === id);
}

/** Waits until the channel has no message queued or in flight. */
function settled(id: string): Promise<SandboxChannelView> {
  return waitFor(`channel ${id} to settle`, async () => {
    const view = await channel(id);
    return view && view.pending === 0 ? view : undefined;
  });
}

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
});

afterAll(async () => {
  await receiver.close();
});

beforeEach(async () => {
  receiver.reset();
  // Quick retries so failure paths finish fast; a timeout long enough for a loaded CI box.
  await sandbox.control.configure({ webhookRetryDelayMs: 10, webhookTimeoutMs: 5_000, webhookAttempts: 3 });
  token = await connect(USER);
});

afterEach(() => {
  receiver.release();
});

describe('events.watch', () => {
  it('answers with the channel resource and sends a sync notification', async () => {
    const before = Date.now();
    const created = await watch('chan-sync_1', { token: 'target=bookings' });
    const after = Date.now();
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(['expiration', 'id', 'kind', 'resourceId', 'resourceUri', 'token']);
    expect(created.body).toMatchObject({
      kind: 'api#channel',
      id: 'chan-sync_1',
      token: 'target=bookings',
      resourceUri: `${sandbox.url}/calendar/v3/calendars/primary/events?alt=json`,
    });
    const resourceId = String(created.body['resourceId']);
    expect(resourceId).toMatch(/^[0-9a-v]{20,}$/);
    // Google's int64 as a string; the default lifetime is one week.
    const expiration = Number(created.body['expiration']);
    expect(typeof created.body['expiration']).toBe('string');
    expect(expiration).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(expiration).toBeLessThanOrEqual(after + 7 * DAY_MS);

    const [sync] = await waitFor('the sync message', () => receiver.of('chan-sync_1').length === 1 && receiver.of('chan-sync_1'));
    expect(sync?.method).toBe('POST');
    expect(sync?.path).toBe('/hook/chan-sync_1');
    expect(sync?.body).toBe('');
    expect(sync?.headers).toMatchObject({
      'x-goog-channel-id': 'chan-sync_1',
      'x-goog-channel-token': 'target=bookings',
      'x-goog-channel-expiration': new Date(expiration).toUTCString(),
      'x-goog-resource-id': resourceId,
      'x-goog-resource-uri': `${sandbox.url}/calendar/v3/calendars/primary/events?alt=json`,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
      'content-length': '0',
    });
    expect(sync?.headers).not.toHaveProperty('content-type');

    // Another channel on the same calendar watches the same resource; no token, no token header.
    const second = await watch('chan-sync_2');
    expect(second.body['resourceId']).toBe(resourceId);
    expect(second.body).not.toHaveProperty('token');
    const [secondSync] = await waitFor('the second sync', () => receiver.of('chan-sync_2').length === 1 && receiver.of('chan-sync_2'));
    expect(secondSync?.headers).not.toHaveProperty('x-goog-channel-token');
  });

  it('sends one exists notification per change, through the API or the control API, in order', async () => {
    const work = (await sandbox.control.createCalendar(USER, { summary: 'Work' })).id;
    expect((await watch('primary-feed')).status).toBe(200);
    expect((await watch('work-feed', {}, `/calendar/v3/calendars/${encodeURIComponent(work)}/events/watch`)).status).toBe(200);
    await waitFor('both sync messages', () => receiver.received.length === 2);

    expect((await api(token, 'POST', EVENTS, event('push000000001'))).status).toBe(200);
    expect((await api(token, 'PATCH', `${EVENTS}/push000000001`, { summary: 'Moved' })).status).toBe(200);
    expect((await api(token, 'PUT', `${EVENTS}/push000000001`, event('push000000001', 'Replaced'))).status).toBe(200);
    // Failed writes change nothing and announce nothing.
    expect((await api(token, 'POST', EVENTS, event('push000000001'))).status).toBe(409);
    expect((await api(token, 'PATCH', `${EVENTS}/nothere000001`, { summary: 'x' })).status).toBe(404);
    expect((await api(token, 'DELETE', `${EVENTS}/push000000001`)).status).toBe(204);
    const user = await sandbox.control.createUserEvent(USER, event('push000000002'));
    await sandbox.control.updateUserEvent(USER, user.id, { summary: 'User edit' });
    await sandbox.control.deleteUserEvent(USER, user.id);
    // A change on another calendar goes to that calendar's channels only.
    await sandbox.control.createUserEvent(USER, event('push000000003'), { calendarId: work });

    await waitFor('seven exists messages', () => receiver.of('primary-feed').length === 8);
    await waitFor('the work calendar message', () => receiver.of('work-feed').length === 2);
    await settled('work-feed');
    expect(receiver.numbers('primary-feed')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(receiver.of('primary-feed').map((n) => n.headers['x-goog-resource-state'])).toEqual([
      'sync',
      'exists',
      'exists',
      'exists',
      'exists',
      'exists',
      'exists',
      'exists',
    ]);
    expect(receiver.numbers('work-feed')).toEqual([1, 2]);

    const view = await settled('primary-feed');
    expect(view).toMatchObject({ state: 'active', messages: 8, delivered: 8, failed: 0, retries: 0, pending: 0, calendarId: USER });
    const stats = await sandbox.control.stats();
    expect(stats.notificationsDelivered).toBe(10);
    expect(stats.byAccount[USER]).toMatchObject({ notificationsDelivered: 10, notificationsFailed: 0 });
  });

  it('never makes the API call wait for delivery', async () => {
    receiver.answer = () => 'hang';
    expect((await watch('slow-feed')).status).toBe(200);
    await waitFor('the receiver to hold the sync message', () => receiver.holding === 1);
    // The sync is still unanswered, yet writes go through at once.
    expect((await api(token, 'POST', EVENTS, event('late000000001'))).status).toBe(200);
    expect((await api(token, 'DELETE', `${EVENTS}/late000000001`)).status).toBe(204);
    expect(receiver.numbers('slow-feed')).toEqual([1]);
    expect((await channel('slow-feed'))?.pending).toBe(3);

    receiver.answer = () => 200;
    receiver.release();
    await waitFor('the queued messages', () => receiver.of('slow-feed').length === 3);
    expect(receiver.numbers('slow-feed')).toEqual([1, 2, 3]);
    expect(await settled('slow-feed')).toMatchObject({ delivered: 3, failed: 0 });
  });

  it('retries 5xx a few times, fails other statuses at once, counts failures and keeps the channel open', async () => {
    const answers: Answer[] = [500, 503, 502, 200, 404, 200];
    receiver.answer = () => answers.shift() ?? 200;
    await watch('flaky-feed');
    await waitFor('the sync message to be given up on', async () => (await channel('flaky-feed'))?.failed === 1);
    await api(token, 'POST', EVENTS, event('flak000000001'));
    await waitFor('message 2', () => receiver.numbers('flaky-feed').includes(2));
    await api(token, 'PATCH', `${EVENTS}/flak000000001`, { summary: 'again' });
    await api(token, 'PATCH', `${EVENTS}/flak000000001`, { summary: 'and again' });
    await waitFor('message 4', () => receiver.numbers('flaky-feed').includes(4));

    // Sync tried three times (webhookAttempts), message 3 refused with 404 and not retried.
    expect(receiver.numbers('flaky-feed')).toEqual([1, 1, 1, 2, 3, 4]);
    expect(await settled('flaky-feed')).toMatchObject({
      state: 'active',
      messages: 4,
      delivered: 2,
      failed: 2,
      retries: 2,
      lastError: 'HTTP 404',
    });
    const stats = await sandbox.control.stats();
    expect(stats.notificationsFailed).toBe(2);
    expect(stats.byAccount[USER]).toMatchObject({ notificationsDelivered: 2, notificationsFailed: 2 });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    await sandbox.control.configure({ webhookTimeoutMs: 100, webhookAttempts: 2 });
    receiver.answer = () => 'hang';
    await watch('mute-feed');
    const view = await waitFor('the timeouts', async () => {
      const current = await channel('mute-feed');
      return current?.failed === 1 ? current : undefined;
    });
    expect(view).toMatchObject({ delivered: 0, failed: 1, retries: 1, lastError: 'timeout', pending: 0 });
    expect(receiver.numbers('mute-feed')).toEqual([1, 1]);
  });
});

describe('channels.stop and expiry', () => {
  it('stops a channel: 204, then 404; nothing more is sent on it, and its id is free again', async () => {
    const opened = await watch('stop-me');
    await watch('witness');
    await waitFor('both syncs', () => receiver.received.length === 2);
    const resourceId = String(opened.body['resourceId']);

    // While open, the id is taken.
    const duplicate = await watch('stop-me');
    expect(duplicate.status).toBe(400);
    expect(reasonOf(duplicate)).toBe('channelIdNotUnique');

    const wrongResource = await api(token, 'POST', STOP, { id: 'stop-me', resourceId: 'not-the-resource' });
    expect(wrongResource.status).toBe(404);
    expect(reasonOf(wrongResource)).toBe('notFound');
    const unknown = await api(token, 'POST', STOP, { id: 'never-opened', resourceId });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toBe(`Channel 'never-opened' not found for project '${CLIENT_ID}'`);

    const stopped = await api(token, 'POST', STOP, { id: 'stop-me', resourceId });
    expect(stopped.status).toBe(204);
    expect(stopped.body).toEqual({});
    expect((await api(token, 'POST', STOP, { id: 'stop-me', resourceId })).status).toBe(404);

    await api(token, 'POST', EVENTS, event('after00000001'));
    await waitFor('the witness to hear of the change', () => receiver.numbers('witness').includes(2));
    expect(receiver.numbers('stop-me')).toEqual([1]);
    expect((await channel('stop-me'))?.state).toBe('stopped');
    expect((await channel('witness'))?.state).toBe('active');

    // A stopped channel's id can be used again: a new channel, numbered from 1.
    expect((await watch('stop-me')).status).toBe(200);
    await waitFor('the new sync', () => receiver.numbers('stop-me').length === 2);
    expect(receiver.numbers('stop-me')).toEqual([1, 1]);
  });

  it('honours the requested expiration, caps it at 30 days, reads params.ttl, refuses the past', async () => {
    const inOneHour = Date.now() + 3600_000;
    const exact = await watch('exp-exact', { expiration: String(inOneHour) });
    expect(exact.body['expiration']).toBe(String(inOneHour));
    const asNumber = await watch('exp-number', { expiration: inOneHour });
    expect(asNumber.body['expiration']).toBe(String(inOneHour));

    const before = Date.now();
    const capped = await watch('exp-capped', { expiration: String(Date.now() + 90 * DAY_MS) });
    expect(Number(capped.body['expiration'])).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(Number(capped.body['expiration'])).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS);

    const ttlBefore = Date.now();
    const ttl = await watch('exp-ttl', { params: { ttl: '120' } });
    expect(Number(ttl.body['expiration'])).toBeGreaterThanOrEqual(ttlBefore + 120_000);
    expect(Number(ttl.body['expiration'])).toBeLessThanOrEqual(Date.now() + 120_000);
    expect((await channel('exp-ttl'))?.params).toEqual({ ttl: '120' });

    const past = await watch('exp-past', { expiration: String(Date.now() - 1000) });
    expect(past.status).toBe(400);
    expect(reasonOf(past)).toBe('invalid');
    expect(await channel('exp-past')).toBeUndefined();
  });

  it('lets the control API expire a channel now: nothing more is sent and it cannot be stopped', async () => {
    const opened = await watch('expire-me');
    await watch('witness');
    await waitFor('both syncs', () => receiver.received.length === 2);

    const view = await sandbox.control.expireChannel('expire-me');
    expect(view).toMatchObject({ id: 'expire-me', state: 'expired', messages: 1, delivered: 1 });
    expect(view.expiration).toBeLessThanOrEqual(Date.now());

    await sandbox.control.createUserEvent(USER, event('gone000000001'));
    await waitFor('the witness to hear of the change', () => receiver.numbers('witness').includes(2));
    expect(receiver.numbers('expire-me')).toEqual([1]);
    const stop = await api(token, 'POST', STOP, { id: 'expire-me', resourceId: String(opened.body['resourceId']) });
    expect(stop.status).toBe(404);
    await expect(sandbox.control.expireChannel('no-such-channel')).rejects.toMatchObject({ status: 404 });
  });

  it('drops messages still queued when a channel is stopped', async () => {
    receiver.answer = () => 'hang';
    const opened = await watch('busy-feed');
    await waitFor('the held sync', () => receiver.holding === 1);
    await api(token, 'POST', EVENTS, event('queued0000001'));
    await api(token, 'POST', EVENTS, event('queued0000002'));
    expect((await api(token, 'POST', STOP, { id: 'busy-feed', resourceId: String(opened.body['resourceId']) })).status).toBe(204);
    receiver.release();
    const view = await settled('busy-feed');
    expect(view).toMatchObject({ state: 'stopped', messages: 3, delivered: 1, dropped: 2 });
    expect(receiver.numbers('busy-feed')).toEqual([1]);
  });

  it('closes every channel on reset', async () => {
    await watch('before-reset');
    await waitFor('the sync', () => receiver.received.length === 1);
    await sandbox.control.reset();
    token = await connect(USER);
    await watch('after-reset');
    await api(token, 'POST', EVENTS, event('reset00000001'));
    await waitFor('the new channel to hear of the change', () => receiver.numbers('after-reset').includes(2));
    expect(receiver.numbers('before-reset')).toEqual([1]);
    expect((await sandbox.control.listChannels(USER)).map((view) => view.id)).toEqual(['after-reset']);
  });
});

describe('watch requests are checked like other calls', () => {
  it('needs a valid token and a scope that can read events; faults and quotas apply', async () => {
    const anonymous = await api(undefined, 'POST', WATCH, { id: 'anon', type: 'web_hook', address: `${receiver.url}/x` });
    expect(anonymous.status).toBe(401);
    expect(reasonOf(anonymous)).toBe('authError');
    expect((await api(undefined, 'POST', STOP, { id: 'anon', resourceId: 'x' })).status).toBe(401);

    // A calendar-list-only token may not watch events, but may stop channels (any Calendar scope).
    const listOnly = await connect('narrow@sandbox.test', CALENDAR_SCOPES.calendarListReadonly);
    const denied = await api(listOnly, 'POST', WATCH, { id: 'narrow', type: 'web_hook', address: `${receiver.url}/x` });
    expect(denied.status).toBe(403);
    expect(reasonOf(denied)).toBe('insufficientPermissions');
    expect((await api(listOnly, 'POST', STOP, { id: 'narrow', resourceId: 'x' })).status).toBe(404);
    // Read-only event access is enough to watch.
    const readOnly = await connect('reader@sandbox.test', CALENDAR_SCOPES.eventsReadonly);
    expect((await api(readOnly, 'POST', WATCH, { id: 'ro', type: 'web_hook', address: `${receiver.url}/x` })).status).toBe(200);

    // Another account's calendar does not exist for this caller.
    const foreign = await watch('foreign', {}, '/calendar/v3/calendars/reader%40sandbox.test/events/watch');
    expect(foreign.status).toBe(404);

    const before = (await sandbox.control.stats()).byAccount[USER]?.requests ?? 0;
    await sandbox.control.addFault({ path: '/events/watch', status: 503 });
    const faulted = await watch('faulted');
    expect(faulted.status).toBe(503);
    expect(reasonOf(faulted)).toBe('backendError');
    expect(await channel('faulted')).toBeUndefined();
    expect((await sandbox.control.stats()).byAccount[USER]?.requests).toBe(before + 1);

    // The per-user quota counts watch calls like any other (a fresh account, so nothing counted yet).
    token = await connect('quota@sandbox.test');
    await sandbox.control.configure({ perUserPerMinute: 1 });
    expect((await watch('quota-1')).status).toBe(200);
    const limited = await watch('quota-2');
    expect(limited.status).toBe(403);
    expect(reasonOf(limited)).toBe('userRateLimitExceeded');
  });

  it('validates the channel, and requires https addresses when configured to', async () => {
    const refused = async (body: Record<string, unknown>): Promise<[number, string | undefined]> => {
      const result = await api(token, 'POST', WATCH, { id: 'valid-id', type: 'web_hook', address: `${receiver.url}/x`, ...body });
      return [result.status, reasonOf(result)];
    };
    expect(await refused({ id: 'x'.repeat(65) })).toEqual([400, 'invalid']);
    expect(await refused({ id: 'has space' })).toEqual([400, 'invalid']);
    expect(await refused({ id: undefined })).toEqual([400, 'required']);
    expect(await refused({ address: undefined })).toEqual([400, 'required']);
    expect(await refused({ address: 'not a url' })).toEqual([400, 'invalid']);
    expect(await refused({ address: 'ftp://127.0.0.1/x' })).toEqual([400, 'invalid']);
    expect(await refused({ type: 'email' })).toEqual([400, 'invalid']);
    expect(await refused({ token: 't'.repeat(257) })).toEqual([400, 'invalid']);
    expect(await refused({ params: { ttl: 'soon' } })).toEqual([400, 'invalid']);
    expect(await refused({ id: 'x'.repeat(64), token: 't'.repeat(256), type: 'webhook' })).toEqual([200, undefined]);
    expect(await sandbox.control.listChannels(USER)).toHaveLength(1);

    await sandbox.control.configure({ requireHttpsWebhooks: true, webhookAttempts: 1 });
    const http = await api(token, 'POST', WATCH, { id: 'plain-http', type: 'web_hook', address: `${receiver.url}/x` });
    expect(http.status).toBe(400);
    expect(http.body.error?.errors?.[0]).toEqual({
      domain: 'global',
      reason: 'push.webhookUrlNotHttps',
      message: `WebHook callback must be HTTPS: ${receiver.url}/x`,
    });
    // https is accepted; nothing listens with TLS there, so the sync message fails.
    const https = await api(token, 'POST', WATCH, { id: 'tls', type: 'web_hook', address: 'https://127.0.0.1:9/x' });
    expect(https.status).toBe(200);
    expect(await waitFor('the failed sync', async () => (await channel('tls'))?.failed === 1)).toBe(true);
  });

  it('works with the googleapis client', async () => {
    const auth = new google.auth.OAuth2({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    auth.setCredentials({ access_token: token });
    const cal = google.calendar({ version: 'v3', rootUrl: `${sandbox.url}/`, retry: false, auth });
    const opened = await cal.events.watch({
      calendarId: 'primary',
      requestBody: { id: 'library-feed', type: 'web_hook', address: `${receiver.url}/lib`, token: 'lib-token' },
    });
    expect(opened.data).toMatchObject({ kind: 'api#channel', id: 'library-feed', token: 'lib-token' });
    await waitFor('the sync', () => receiver.numbers('library-feed').length === 1);
    await cal.events.insert({ calendarId: 'primary', requestBody: event('libra0000001') });
    await waitFor('the exists message', () => receiver.numbers('library-feed').length === 2);
    const stopped = await cal.channels.stop({ requestBody: { id: 'library-feed', resourceId: opened.data.resourceId ?? '' } });
    expect(stopped.status).toBe(204);
    expect((await channel('library-feed'))?.state).toBe('stopped');
  });
});
