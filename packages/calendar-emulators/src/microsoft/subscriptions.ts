import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { routeParam } from '../shared/http';
import { callerAccount } from './calendars';
import { requestContext } from './context';
import type { GuardFactory } from './me';
import { CALENDAR_READ_PERMISSIONS } from './scopes';
import type { Account, MicrosoftSandboxState } from './state';
import {
  checkWebhookUrl,
  parseChangeTypes,
  parseClientState,
  parseCreateInput,
  parseExpiration,
  parseResource,
  parseUpdateInput,
  subscriptionErrors,
} from './subscription-input';
import { isActive, newDeliveries, SUBSCRIPTION_METADATA, toGraphSubscription, type SubscriptionRecord } from './subscription-model';
import { validateNotificationUrl } from './webhook-validation';

// Graph's /subscriptions for Outlook events: create (after the validation handshake with
// the notification URL, and the lifecycle URL if there is one), list, get, renew (PATCH),
// reauthorize and delete. With delegated tokens an app sees the subscriptions it created
// for the signed-in user, and only active ones.

function clientIdOf(req: Request): string {
  const token = requestContext(req).accessToken;
  if (!token) throw subscriptionErrors.accessDenied();
  return token.clientId;
}

/** The caller's active subscription the path names; 404 for anything else. */
function ownSubscription(state: MicrosoftSandboxState, req: Request, account: Account): SubscriptionRecord {
  const id = routeParam(req, 'subscriptionId');
  const record = id === undefined ? undefined : state.subscriptions.get(id);
  if (!record || record.email !== account.email || record.clientId !== clientIdOf(req) || !isActive(record, state.now())) {
    throw subscriptionErrors.notFound();
  }
  return record;
}

function sendSubscription(res: Response, status: number, record: SubscriptionRecord): void {
  res.status(status).json({ '@odata.context': `${SUBSCRIPTION_METADATA}/$entity`, ...toGraphSubscription(record) });
}

/** The handshake for each URL (notification first), each bounded by the configured timeout. */
async function validateUrls(state: MicrosoftSandboxState, urls: readonly string[]): Promise<void> {
  for (const url of urls) await validateNotificationUrl(url, state.config.webhookValidationTimeoutMs, state.webhooks.signal);
}

export function registerSubscriptionRoutes(router: Router, state: MicrosoftSandboxState, guard: GuardFactory): void {
  // Event subscriptions need a permission to read the events (Graph checks it on every call).
  const access = guard(CALENDAR_READ_PERMISSIONS, subscriptionErrors.accessDenied);

  router.post('/subscriptions', ...access, async (req, res) => {
    const account = callerAccount(state, req);
    const clientId = clientIdOf(req);
    const input = parseCreateInput(req.body as unknown);
    const changeTypes = parseChangeTypes(input.changeType);
    const target = parseResource(account, input.resource);
    const expiresMs = parseExpiration(input.expirationDateTime, state.now());
    const clientState = parseClientState(input.clientState);
    if (input.includeResourceData === true) {
      throw subscriptionErrors.invalid('The sandbox does not support change notifications with resource data (includeResourceData).');
    }
    const lifecycleUrl = input.lifecycleNotificationUrl ?? null;
    checkWebhookUrl('notificationUrl', input.notificationUrl, state.config.requireHttpsWebhooks);
    if (lifecycleUrl !== null) checkWebhookUrl('lifecycleNotificationUrl', lifecycleUrl, state.config.requireHttpsWebhooks);
    await validateUrls(state, lifecycleUrl === null ? [input.notificationUrl] : [input.notificationUrl, lifecycleUrl]);
    const now = state.now();
    const record: SubscriptionRecord = {
      id: randomUUID(),
      email: account.email,
      userId: account.id,
      clientId,
      resource: input.resource,
      target,
      changeType: input.changeType,
      changeTypes,
      notificationUrl: input.notificationUrl,
      lifecycleNotificationUrl: lifecycleUrl,
      clientState,
      includeResourceData: input.includeResourceData ?? null,
      latestSupportedTlsVersion: input.latestSupportedTlsVersion ?? 'v1_2',
      createdMs: now,
      expiresMs,
      reauthorizationRequired: false,
      notificationsPaused: false,
      deliveries: newDeliveries(),
    };
    state.subscriptions.set(record.id, record);
    sendSubscription(res, 201, record);
  });

  router.get('/subscriptions', ...access, (req, res) => {
    const account = callerAccount(state, req);
    const clientId = clientIdOf(req);
    const now = state.now();
    const mine = [...state.subscriptions.values()].filter(
      (record) => record.email === account.email && record.clientId === clientId && isActive(record, now),
    );
    res.json({ '@odata.context': SUBSCRIPTION_METADATA, value: mine.map(toGraphSubscription) });
  });

  router.get('/subscriptions/:subscriptionId', ...access, (req, res) => {
    sendSubscription(res, 200, ownSubscription(state, req, callerAccount(state, req)));
  });

  // Renewal (expirationDateTime) and a new notificationUrl (validated first). Renewing also reauthorizes.
  router.patch('/subscriptions/:subscriptionId', ...access, async (req, res) => {
    const account = callerAccount(state, req);
    const record = ownSubscription(state, req, account);
    const input = parseUpdateInput(req.body as unknown);
    const expiresMs = input.expirationDateTime === undefined ? undefined : parseExpiration(input.expirationDateTime, state.now());
    if (input.notificationUrl !== undefined) {
      checkWebhookUrl('notificationUrl', input.notificationUrl, state.config.requireHttpsWebhooks);
      await validateUrls(state, [input.notificationUrl]);
      record.notificationUrl = input.notificationUrl;
    }
    if (expiresMs !== undefined) record.expiresMs = expiresMs;
    record.reauthorizationRequired = false;
    record.notificationsPaused = false;
    sendSubscription(res, 200, record);
  });

  router.post('/subscriptions/:subscriptionId/reauthorize', ...access, (req, res) => {
    const record = ownSubscription(state, req, callerAccount(state, req));
    record.reauthorizationRequired = false;
    record.notificationsPaused = false;
    res.status(204).end();
  });

  router.delete('/subscriptions/:subscriptionId', ...access, (req, res) => {
    const record = ownSubscription(state, req, callerAccount(state, req));
    record.ended = 'deleted';
    res.status(204).end();
  });
}
