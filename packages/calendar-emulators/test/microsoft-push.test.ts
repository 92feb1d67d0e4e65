import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_EVENT_SUBSCRIPTION_MINUTES,
  MicrosoftSandboxControl,
  startMicrosoftSandbox,
  type GraphChangeNotification,
  type GraphLifecycleNotification,
  type GraphNotificationCollection,
  type MicrosoftSubscriptionView,
  type RunningMicrosoftSandbox,
} from '../src/microsoft';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  connect as connectTo,
  eventPath,
  graph as graphAt,
  values,
  type GraphResult,
  type Json,
} from './microsoft-test-client';
import { startSubscriber, type ReceivedRequest, type Subscriber } from './webhook-subscriber';

// Change notifications of the Microsoft sandbox against a real local HTTP subscriber: the
// validation handshake, POST/GET/PATCH/DELETE /subscriptions, notifications for created,
// updated and deleted events (through Graph and the control API), retries, and the
// lifecycle events the control API triggers.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GRAPH_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const VALIDATION_TOKEN = /^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/;

let sandbox: RunningMicrosoftSandbox;
let control: MicrosoftSandboxControl;
let subscriber: Subscriber;

beforeAll(async () => {
  sandbox = await startMicrosoftSandbox({
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    // Quick retries keep the retry tests short; the policy is what production has, faster.
    config: { webhookRetryBaseDelayMs: 10 },
  });
  control = new MicrosoftSandboxControl(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await control.reset();
  subscriber = await startSubscriber();
});

afterEach(async () => {
  await subscriber.close();
});

const connect = (email: string, scope?: string): Promise<string> => connectTo(sandbox.url, email, scope);
const graph = (token: string, path: string, options?: Parameters<typeof graphAt>[3]): Promise<GraphResult> =>
  graphAt(sandbox.url, token, path, options);

function inMinutes(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}

interface SubscribeOptions {
  path?: string;
  lifecyclePath?: string;
  changeType?: string;
  resource?: string;
  clientState?: string;
  expirationDateTime?: string;
}

function subscribe(token: string, options: SubscribeOptions = {}): Promise<GraphResult> {
  return graph(token, '/subscriptions', {
    method: 'POST',
    body: {
      changeType: options.changeType ?? 'created,updated,deleted',
      notificationUrl: `${subscriber.url}${options.path ?? '/hook'}`,
      ...(options.lifecyclePath ? { lifecycleNotificationUrl: `${subscriber.url}${options.lifecyclePath}` } : {}),
      resource: options.resource ?? '/me/events',
      expirationDateTime: options.expirationDateTime ?? inMinutes(60),
      clientState: options.clientState ?? 'secret-client-state',
    },
  });
}

function utcEvent(subject: string, day: string, calendarPath = '/me'): [string, { subject: string; start: Json; end: Json }] {
  return [
    `${calendarPath}/events`,
    { subject, start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' }, end: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' } },
  ];
}

async function createEvent(token: string, subject: string, day: string, calendarPath?: string): Promise<Json> {
  const [path, body] = utcEvent(subject, day, calendarPath);
  const created = await graph(token, path, { method: 'POST', body });
  expect(created.status).toBe(201);
  return created.body;
}

function changeNotifications(path: string): GraphChangeNotification[] {
  return subscriber.notifications(path).flatMap((request) => (request.json as GraphNotificationCollection<GraphChangeNotification>).value);
}

function lifecycleNotifications(path: string): GraphLifecycleNotification[] {
  return subscriber
    .notifications(path)
    .flatMap((request) => (request.json as GraphNotificationCollection<GraphLifecycleNotification>).value);
}

/**
 * For polls on a subscription's delivery counts, which the sandbox updates once the subscriber
 * has answered: the one-second default is too short on a loaded two-core machine.
 */
const DELIVERED = { timeout: 10_000 };

function waitForNotifications(path: string, count: number): Promise<ReceivedRequest[]> {
  return subscriber.waitFor(() => subscriber.notifications(path).length >= count, `${count} notification(s) on ${path}`);
}

async function view(subscriptionId: string): Promise<MicrosoftSubscriptionView> {
  return control.getSubscription(subscriptionId);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 9;
}

describe('the validation handshake', () => {
  it('creates the subscription once the subscriber echoes the token, and answers with Graph’s subscription resource', async () => {
    const email = 'push.ok@sandbox.test';
    const account = await control.createAccount(email);
    const token = await connect(email);
    const expiration = inMinutes(120);
    const created = await subscribe(token, {
      path: '/hook',
      lifecyclePath: '/lifecycle',
      expirationDateTime: expiration,
      changeType: 'created,updated',
    });
    expect(created.status).toBe(201);
    expect(created.body['id']).toMatch(GUID);
    expect(created.body).toEqual({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
      id: created.body['id'],
      resource: '/me/events',
      applicationId: CLIENT_ID,
      changeType: 'created,updated',
      clientState: 'secret-client-state',
      notificationUrl: `${subscriber.url}/hook`,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: `${subscriber.url}/lifecycle`,
      expirationDateTime: expect.stringMatching(GRAPH_TIMESTAMP),
      creatorId: account.id,
      includeResourceData: null,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    });
    expect(Date.parse(String(created.body['expirationDateTime']))).toBe(Date.parse(expiration));

    // One validation request per URL, notification URL first: POST, text/plain, empty body,
    // the token form-encoded (spaces as +) in the query.
    const validations = subscriber.requests.filter((request) => request.validationToken !== undefined);
    expect(validations.map((request) => request.path)).toEqual(['/hook', '/lifecycle']);
    for (const request of validations) {
      expect(request).toMatchObject({ method: 'POST', contentType: 'text/plain; charset=utf-8', text: '' });
      expect(request.validationToken).toMatch(VALIDATION_TOKEN);
      expect(request.rawQuery).toMatch(/^validationToken=Validation%3A\+Testing\+client\+application\+reachability\+/);
    }
    expect(validations[0]?.validationToken).not.toBe(validations[1]?.validationToken);

    const list = await graph(token, '/subscriptions');
    expect(list.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#subscriptions');
    expect(values(list).map((item) => item['id'])).toEqual([created.body['id']]);
    const one = await graph(token, `/subscriptions/${String(created.body['id'])}`);
    expect(one.body).toMatchObject({ id: created.body['id'], resource: '/me/events' });
    // Other users (and other apps' tokens for them) see none of it.
    const stranger = await connect('push.stranger@sandbox.test');
    expect(values(await graph(stranger, '/subscriptions'))).toEqual([]);
    expect((await graph(stranger, `/subscriptions/${String(created.body['id'])}`)).status).toBe(404);
  });

  it('refuses with 400 ValidationError when the subscriber answers wrongly or not at all, and creates nothing', async () => {
    const email = 'push.refused@sandbox.test';
    const token = await connect(email);
    subscriber.behave('/wrong-token', { validation: 'wrong-token' });
    subscriber.behave('/forbidden', { validation: { status: 403 } });
    subscriber.behave('/json', { validation: 'json' });
    subscriber.behave('/silent', { validation: 'no-answer' });

    const wrong = await subscribe(token, { path: '/wrong-token' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'ValidationError',
      message: 'Subscription validation request failed. Response must exactly match validationToken query parameter.',
      innerError: { 'request-id': expect.stringMatching(GUID) },
    });
    const forbidden = await subscribe(token, { path: '/forbidden' });
    expect(forbidden.body.error).toMatchObject({
      code: 'ValidationError',
      message:
        "Subscription validation request failed. HTTP status code is 'Forbidden'. Notification endpoint must respond with 200 OK to validation request.",
    });
    expect((await subscribe(token, { path: '/json' })).body.error?.code).toBe('ValidationError');
    const unreachable = await graph(token, '/subscriptions', {
      method: 'POST',
      body: {
        changeType: 'created',
        notificationUrl: `http://127.0.0.1:${await closedPort()}/hook`,
        resource: 'me/events',
        expirationDateTime: inMinutes(60),
      },
    });
    expect(unreachable.body.error).toMatchObject({
      code: 'ValidationError',
      message: 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    });
    // A good notification URL is not enough: the lifecycle URL is validated too.
    expect((await subscribe(token, { path: '/hook', lifecyclePath: '/wrong-token' })).status).toBe(400);

    // No answer within the validation timeout (10 s at Graph, shortened here).
    await control.configure({ webhookValidationTimeoutMs: 300 });
    const silent = await subscribe(token, { path: '/silent' });
    expect(silent.status).toBe(400);
    expect(silent.body.error).toMatchObject({ code: 'ValidationError', message: 'Subscription validation request timed out.' });

    expect(values(await graph(token, '/subscriptions'))).toEqual([]);
    expect(await control.listSubscriptions()).toEqual([]);
  });

  it('refuses http URLs before any request when requireHttpsWebhooks is on, as Graph always does', async () => {
    const token = await connect('push.https@sandbox.test');
    expect((await control.getConfig()).requireHttpsWebhooks).toBe(false);
    await control.configure({ requireHttpsWebhooks: true });
    const refused = await subscribe(token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('https') });
    expect(subscriber.requests).toEqual([]);
    await control.configure({ requireHttpsWebhooks: false });
    expect((await subscribe(token)).status).toBe(201);
  });
});

describe('subscription requests', () => {
  it('checks the body like Graph: expiration window, clientState, change types, required properties, resource, permission', async () => {
    const email = 'push.checks@sandbox.test';
    const account = await control.createAccount(email);
    const token = await connect(email);
    const tooLate = await subscribe(token, { expirationDateTime: inMinutes(MAX_EVENT_SUBSCRIPTION_MINUTES + 2) });
    expect(tooLate.status).toBe(400);
    expect(tooLate.body.error).toMatchObject({
      code: 'ExtensionError',
      message: `Subscription expiration can only be ${MAX_EVENT_SUBSCRIPTION_MINUTES} minutes in the future.`,
    });
    expect((await subscribe(token, { expirationDateTime: inMinutes(8 * 24 * 60) })).status).toBe(400);
    expect((await subscribe(token, { expirationDateTime: inMinutes(-1) })).status).toBe(400);
    expect((await subscribe(token, { clientState: 'x'.repeat(129) })).status).toBe(400);
    expect((await subscribe(token, { changeType: 'created,moved' })).status).toBe(400);
    expect((await subscribe(token, { resource: '/me/messages' })).body.error?.code).toBe('ExtensionError');
    const missing = await graph(token, '/subscriptions', {
      method: 'POST',
      body: { changeType: 'created', notificationUrl: `${subscriber.url}/hook`, resource: 'me/events' },
    });
    expect(missing.body.error).toMatchObject({
      code: 'InvalidRequest',
      message: 'expirationDateTime is a required property for subscription creation.',
    });
    const otherMailbox = await subscribe(token, { resource: 'users/someone.else@sandbox.test/events' });
    expect(otherMailbox.status).toBe(403);
    const unknownCalendar = await subscribe(token, { resource: 'me/calendars/AAMkAnope=/events' });
    expect(unknownCalendar.status).toBe(404);
    // None of that reached the subscriber: checks come before the handshake.
    expect(subscriber.requests).toEqual([]);

    // The longest allowed expiration, and the other spellings of the resource, are fine.
    expect((await subscribe(token, { expirationDateTime: inMinutes(MAX_EVENT_SUBSCRIPTION_MINUTES - 1) })).status).toBe(201);
    expect((await subscribe(token, { resource: 'me/events' })).status).toBe(201);
    expect((await subscribe(token, { resource: `users/${account.id}/events` })).status).toBe(201);
    expect((await subscribe(token, { resource: 'me/calendar/events' })).status).toBe(201);

    const noCalendars = await connect('push.nocalendars@sandbox.test', 'offline_access User.Read');
    const denied = await subscribe(noCalendars);
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe('ExtensionError');
  });
});

describe('change notifications', () => {
  it('POSTs created, updated and deleted notifications with clientState, for Graph and control writes', async () => {
    const email = 'push.changes@sandbox.test';
    const account = await control.createAccount(email);
    const token = await connect(email);
    const created = await subscribe(token);
    const subscriptionId = String(created.body['id']);

    const event = await createEvent(token, 'Lesson', '2026-10-05');
    await waitForNotifications('/hook', 1);
    const patched = await graph(token, eventPath(event['id']), { method: 'PATCH', body: { subject: 'Lesson (moved)' } });
    await waitForNotifications('/hook', 2);
    expect((await graph(token, eventPath(event['id']), { method: 'DELETE' })).status).toBe(204);
    await waitForNotifications('/hook', 3);
    const byUser = await control.createUserEvent(email, {
      subject: 'Dentist',
      start: { dateTime: '2026-10-06T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-10-06T10:00:00', timeZone: 'UTC' },
    });
    await waitForNotifications('/hook', 4);

    const requests = subscriber.notifications('/hook');
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.contentType).toMatch(/^application\/json/);
      expect((request.json as { value: unknown[] }).value).toHaveLength(1);
    }
    const resource = (id: unknown): string => `Users/${account.id}/Events/${String(id)}`;
    const expected = (changeType: string, id: unknown, etag: unknown): Json => ({
      subscriptionId,
      subscriptionExpirationDateTime: created.body['expirationDateTime'],
      changeType,
      resource: resource(id),
      resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': resource(id), '@odata.etag': etag, id },
      clientState: 'secret-client-state',
      tenantId: expect.stringMatching(GUID),
    });
    expect(changeNotifications('/hook')).toEqual([
      expected('created', event['id'], event['@odata.etag']),
      expected('updated', event['id'], patched.body['@odata.etag']),
      expected('deleted', event['id'], patched.body['@odata.etag']),
      expected('created', byUser.id, byUser['@odata.etag']),
    ]);
    expect((await view(subscriptionId)).deliveries).toMatchObject({
      notificationsQueued: 4,
      notificationsDelivered: 4,
      deliveryAttempts: 4,
      pending: 0,
    });
  });

  it('sends only the subscribed change types, for the subscribed calendar, and series changes as updates of the master', async () => {
    const email = 'push.filters@sandbox.test';
    const token = await connect(email);
    const second = await control.createCalendar(email, { name: 'Second' });
    const secondPath = `/me/calendars/${encodeURIComponent(second.id)}`;
    await subscribe(token, { path: '/deletions', changeType: 'deleted' });
    await subscribe(token, { path: '/second', resource: `${secondPath}/events`, changeType: 'created' });
    await subscribe(token, { path: '/everything' });

    const inDefault = await createEvent(token, 'Default calendar', '2026-10-05');
    const inSecond = await createEvent(token, 'Second calendar', '2026-10-06', secondPath);
    await graph(token, eventPath(inDefault['id']), { method: 'DELETE' });
    // A series: deleting one occurrence is a change of the master.
    const master = await graph(token, '/me/events', {
      method: 'POST',
      body: {
        subject: 'Daily',
        start: { dateTime: '2026-10-05T08:00:00', timeZone: 'UTC' },
        end: { dateTime: '2026-10-05T08:30:00', timeZone: 'UTC' },
        recurrence: {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'numbered', startDate: '2026-10-05', numberOfOccurrences: 3 },
        },
      },
    });
    const occurrences = values(await graph(token, '/me/calendarView?startDateTime=2026-10-05T00:00:00Z&endDateTime=2026-10-08T00:00:00Z'));
    const occurrence = occurrences.find((item) => item['type'] === 'occurrence');
    await graph(token, eventPath(occurrence?.['id']), { method: 'DELETE' });

    await waitForNotifications('/everything', 5);
    await waitForNotifications('/deletions', 1);
    await waitForNotifications('/second', 1);
    const summary = (path: string): string[][] => changeNotifications(path).map((n) => [n.changeType, n.resourceData.id]);
    expect(summary('/everything')).toEqual([
      ['created', String(inDefault['id'])],
      ['created', String(inSecond['id'])],
      ['deleted', String(inDefault['id'])],
      ['created', String(master.body['id'])],
      ['updated', String(master.body['id'])],
    ]);
    expect(summary('/deletions')).toEqual([['deleted', String(inDefault['id'])]]);
    expect(summary('/second')).toEqual([['created', String(inSecond['id'])]]);
    // Nothing else is on its way to the narrower subscriptions.
    for (const subscription of await control.listSubscriptions({ account: email })) {
      expect(subscription.deliveries.pending).toBe(0);
    }
  });

  it('never blocks the API call: the write answers while the subscriber is still holding the notification', async () => {
    const token = await connect('push.async@sandbox.test');
    subscriber.behave('/slow', { notifications: 'hold' });
    const created = await subscribe(token, { path: '/slow' });
    // Would hang (and time out) if the write waited for the delivery.
    const event = await createEvent(token, 'Fast', '2026-10-05');
    await waitForNotifications('/slow', 1);
    expect(changeNotifications('/slow')[0]?.resourceData.id).toBe(event['id']);
    expect((await view(String(created.body['id']))).deliveries).toMatchObject({ pending: 1, notificationsDelivered: 0 });
    subscriber.releaseHeld();
    await expect.poll(async () => (await view(String(created.body['id']))).deliveries.notificationsDelivered, DELIVERED).toBe(1);
  });

  it('retries a non-2xx answer with backoff, then gives up after the last attempt', async () => {
    const token = await connect('push.retry@sandbox.test');
    subscriber.behave('/flaky', { notifications: [500, 503, 202] });
    const flaky = await subscribe(token, { path: '/flaky' });
    const event = await createEvent(token, 'Retried', '2026-10-05');
    await waitForNotifications('/flaky', 3);
    const attempts = subscriber.notifications('/flaky');
    expect(new Set(attempts.map((request) => request.text)).size).toBe(1);
    expect(changeNotifications('/flaky')[0]?.resourceData.id).toBe(event['id']);
    await expect
      .poll(async () => (await view(String(flaky.body['id']))).deliveries, DELIVERED)
      .toMatchObject({
        deliveryAttempts: 3,
        notificationsDelivered: 1,
        notificationsFailed: 0,
        pending: 0,
      });

    await control.configure({ webhookMaxAttempts: 2 });
    subscriber.behave('/down', { notifications: 500 });
    const down = await subscribe(token, { path: '/down' });
    await createEvent(token, 'Lost', '2026-10-06');
    await waitForNotifications('/down', 2);
    await expect
      .poll(async () => (await view(String(down.body['id']))).deliveries, DELIVERED)
      .toMatchObject({
        deliveryAttempts: 2,
        notificationsDelivered: 0,
        notificationsFailed: 1,
        pending: 0,
      });
    expect(subscriber.notifications('/down')).toHaveLength(2);
  });
});

describe('renewing, deleting and expiring subscriptions', () => {
  it('renews with PATCH, deletes with 204, and a deleted subscription sends nothing more', async () => {
    const email = 'push.renew@sandbox.test';
    const token = await connect(email);
    const doomed = await subscribe(token, { path: '/doomed' });
    await subscribe(token, { path: '/witness' });
    const id = String(doomed.body['id']);

    const later = inMinutes(3 * 24 * 60);
    const renewed = await graph(token, `/subscriptions/${id}`, { method: 'PATCH', body: { expirationDateTime: later } });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ id, '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity' });
    expect(Date.parse(String(renewed.body['expirationDateTime']))).toBe(Date.parse(later));
    const tooFar = await graph(token, `/subscriptions/${id}`, { method: 'PATCH', body: { expirationDateTime: inMinutes(20_000) } });
    expect(tooFar.body.error?.code).toBe('ExtensionError');
    expect((await graph(token, `/subscriptions/${id}`, { method: 'PATCH', body: { clientState: 'nope' } })).status).toBe(400);
    expect(
      (await graph(token, '/subscriptions/00000000-0000-0000-0000-000000000000', { method: 'PATCH', body: { expirationDateTime: later } }))
        .status,
    ).toBe(404);

    expect((await graph(token, `/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await graph(token, `/subscriptions/${id}`)).status).toBe(404);
    expect((await graph(token, `/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(values(await graph(token, '/subscriptions'))).toHaveLength(1);

    await createEvent(token, 'After the delete', '2026-10-05');
    await waitForNotifications('/witness', 1);
    expect(subscriber.notifications('/doomed')).toEqual([]);
    expect((await view(id)).status).toBe('deleted');
    expect((await view(id)).deliveries.notificationsQueued).toBe(0);
  });

  it('expires a subscription now through control: Graph no longer shows it and it sends nothing', async () => {
    const email = 'push.expire@sandbox.test';
    const token = await connect(email);
    const expiring = await subscribe(token, { path: '/expiring' });
    await subscribe(token, { path: '/witness' });
    const id = String(expiring.body['id']);
    await createEvent(token, 'Before', '2026-10-05');
    await waitForNotifications('/expiring', 1);

    const expired = await control.expireSubscription(id);
    expect(expired.status).toBe('expired');
    expect((await graph(token, `/subscriptions/${id}`)).status).toBe(404);
    expect((await graph(token, `/subscriptions/${id}`, { method: 'PATCH', body: { expirationDateTime: inMinutes(60) } })).status).toBe(404);
    expect(values(await graph(token, '/subscriptions')).map((item) => item['id'])).not.toContain(id);

    await createEvent(token, 'After', '2026-10-06');
    await waitForNotifications('/witness', 2);
    expect(subscriber.notifications('/expiring')).toHaveLength(1);
    expect((await view(id)).deliveries.notificationsQueued).toBe(1);
  });
});

describe('lifecycle notifications', () => {
  it('sends reauthorizationRequired (pausing until reauthorize), missed and subscriptionRemoved to the lifecycle URL', async () => {
    const email = 'push.lifecycle@sandbox.test';
    const token = await connect(email);
    const created = await subscribe(token, { path: '/hook', lifecyclePath: '/lifecycle' });
    const id = String(created.body['id']);

    const challenge = await control.requireReauthorization(id, { pauseNotifications: true });
    expect(challenge).toMatchObject({
      lifecycleNotificationQueued: true,
      subscription: { reauthorizationRequired: true, notificationsPaused: true },
    });
    await waitForNotifications('/lifecycle', 1);
    expect(lifecycleNotifications('/lifecycle')).toEqual([
      {
        subscriptionId: id,
        subscriptionExpirationDateTime: created.body['expirationDateTime'],
        tenantId: expect.stringMatching(GUID),
        clientState: 'secret-client-state',
        lifecycleEvent: 'reauthorizationRequired',
      },
    ]);
    // While paused, changes are lost (as at Graph).
    await createEvent(token, 'Lost while paused', '2026-10-05');
    expect((await view(id)).deliveries).toMatchObject({ notificationsQueued: 1, notificationsDropped: 1, pending: 0 });
    expect((await graph(token, `/subscriptions/${id}/reauthorize`, { method: 'POST' })).status).toBe(204);
    expect(await view(id)).toMatchObject({ reauthorizationRequired: false, notificationsPaused: false });
    const seen = await createEvent(token, 'Seen again', '2026-10-06');
    await waitForNotifications('/hook', 1);
    expect(changeNotifications('/hook').map((n) => n.resourceData.id)).toEqual([seen['id']]);

    await control.reportMissedNotifications(id);
    await waitForNotifications('/lifecycle', 2);
    await control.removeSubscription(id);
    await waitForNotifications('/lifecycle', 3);
    expect(lifecycleNotifications('/lifecycle').map((n) => n.lifecycleEvent)).toEqual([
      'reauthorizationRequired',
      'missed',
      'subscriptionRemoved',
    ]);
    expect((await graph(token, `/subscriptions/${id}`)).status).toBe(404);
    expect((await view(id)).status).toBe('removed');

    // A removed subscription sends nothing more, and takes no further lifecycle events.
    await createEvent(token, 'After removal', '2026-10-07');
    expect((await view(id)).deliveries.notificationsQueued).toBe(2);
    await expect(control.reportMissedNotifications(id)).rejects.toMatchObject({ status: 409 });
    await expect.poll(async () => (await view(id)).deliveries, DELIVERED).toMatchObject({ lifecycleNotificationsDelivered: 3, pending: 0 });
  });

  it('without a lifecycleNotificationUrl the events take effect silently; renewing also reauthorizes', async () => {
    const token = await connect('push.nolifecycle@sandbox.test');
    const created = await subscribe(token, { path: '/hook' });
    const id = String(created.body['id']);
    const result = await control.requireReauthorization(id, { pauseNotifications: true });
    expect(result.lifecycleNotificationQueued).toBe(false);
    const renewed = await graph(token, `/subscriptions/${id}`, { method: 'PATCH', body: { expirationDateTime: inMinutes(90) } });
    expect(renewed.status).toBe(200);
    expect(await view(id)).toMatchObject({ reauthorizationRequired: false, notificationsPaused: false });
    expect((await control.removeSubscription(id)).lifecycleNotificationQueued).toBe(false);
    expect((await graph(token, `/subscriptions/${id}`)).status).toBe(404);
    expect(subscriber.notifications('/hook')).toEqual([]);
    await expect(control.triggerLifecycleEvent('no-such-subscription', { lifecycleEvent: 'missed' })).rejects.toMatchObject({
      status: 404,
    });
  });
});
