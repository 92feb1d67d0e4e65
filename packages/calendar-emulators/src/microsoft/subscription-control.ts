import type { Request, Router } from 'express';
import { z } from 'zod';
import { ControlError, emailSchema, parseInput } from '../shared/control';
import { normalizeEmail } from '../shared/email';
import { routeParam, searchParams } from '../shared/http';
import { sendLifecycleNotification } from './change-notifications';
import type { MicrosoftSandboxState } from './state';
import { isActive, toSubscriptionView, type SubscriptionRecord } from './subscription-model';
import type { MicrosoftLifecycleEventInput, MicrosoftLifecycleEventResult } from './types';

// /sandbox control routes for change-notification subscriptions: list them (ended ones too)
// with their delivery counts, expire one now, and play Graph's part in their lifecycle
// (reauthorizationRequired, subscriptionRemoved, missed).

const lifecycleSchema = z
  .strictObject({
    lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
    pauseNotifications: z.boolean().optional(),
  })
  .refine(
    (input) => input.pauseNotifications === undefined || input.lifecycleEvent === 'reauthorizationRequired',
    'pauseNotifications goes with reauthorizationRequired only',
  ) satisfies z.ZodType<MicrosoftLifecycleEventInput>;

function existingSubscription(state: MicrosoftSandboxState, req: Request): SubscriptionRecord {
  const id = routeParam(req, 'subscriptionId');
  const record = id === undefined ? undefined : state.subscriptions.get(id);
  if (!record) throw new ControlError(404, `No subscription ${String(id)}`);
  return record;
}

export function registerSubscriptionControlRoutes(router: Router, state: MicrosoftSandboxState): void {
  // Every subscription in creation order; `?account=` narrows to one mailbox.
  router.get('/subscriptions', (req, res) => {
    const raw = searchParams(req).get('account');
    const account = raw === null ? undefined : normalizeEmail(parseInput(emailSchema, raw));
    const now = state.now();
    const records = [...state.subscriptions.values()].filter((record) => account === undefined || record.email === account);
    res.json({ value: records.map((record) => toSubscriptionView(record, now)) });
  });

  router.get('/subscriptions/:subscriptionId', (req, res) => {
    res.json(toSubscriptionView(existingSubscription(state, req), state.now()));
  });

  // The subscription's expiration becomes now: Graph hides it and it sends nothing more.
  router.post('/subscriptions/:subscriptionId/expire', (req, res) => {
    const record = existingSubscription(state, req);
    const now = state.now();
    record.expiresMs = Math.min(record.expiresMs, now);
    res.json(toSubscriptionView(record, now));
  });

  router.post('/subscriptions/:subscriptionId/lifecycle', (req, res) => {
    const record = existingSubscription(state, req);
    const input = parseInput(lifecycleSchema, req.body);
    const now = state.now();
    if (!isActive(record, now)) throw new ControlError(409, `Subscription ${record.id} is ${toSubscriptionView(record, now).status}`);
    if (input.lifecycleEvent === 'reauthorizationRequired') {
      record.reauthorizationRequired = true;
      if (input.pauseNotifications === true) record.notificationsPaused = true;
    } else if (input.lifecycleEvent === 'subscriptionRemoved') {
      record.ended = 'removed';
    }
    const queued = sendLifecycleNotification(state, record, input.lifecycleEvent);
    const result: MicrosoftLifecycleEventResult = { subscription: toSubscriptionView(record, now), lifecycleNotificationQueued: queued };
    res.json(result);
  });
}
