import { z } from 'zod';
import { isAbsoluteHttpUrl } from '../shared/http';
import { GraphApiError } from './errors';
import { findCalendar } from './event-store';
import type { Account } from './state';
import type { SubscriptionTarget } from './subscription-model';
import { parseZonedDateTime, UTC_ZONE } from './time-zones';
import type { GraphChangeType } from './types';

// What `POST /subscriptions` and `PATCH /subscriptions/{id}` accept: the body (zod), the
// resource (Outlook events of the caller's mailbox, all of it or one calendar), the
// change types, the expiration window and the URLs.

/**
 * The longest an Outlook event subscription may live. Graph's documentation says 10,080
 * minutes ("under 7 days"), but live Graph refuses that with "Subscription expiration can
 * only be 10070 minutes in the future." (as reported by several clients); the sandbox
 * enforces the live limit so nothing that works here fails there.
 */
export const MAX_EVENT_SUBSCRIPTION_MINUTES = 10_070;

const CHANGE_TYPES: readonly GraphChangeType[] = ['created', 'updated', 'deleted'];
const TLS_VERSIONS = ['v1_0', 'v1_1', 'v1_2', 'v1_3'] as const;

const PAYLOAD_HINT =
  'Could not process subscription creation payload. Are all property names spelled and camelCased properly? Also are the dateTimeOffest properties in the following format: yyyy-MM-ddThh:mm:ss.fffffffZ';

export const subscriptionErrors = {
  invalidPayload: () => new GraphApiError(400, 'InvalidRequest', PAYLOAD_HINT),
  required: (name: string) => new GraphApiError(400, 'InvalidRequest', `${name} is a required property for subscription creation.`),
  invalid: (message: string) => new GraphApiError(400, 'InvalidRequest', message),
  /** Graph's subscription service wraps the resource provider's refusals like this. */
  extension: (status: number, operation: string, statusName: string, reason: string) =>
    new GraphApiError(status, 'ExtensionError', `Operation: ${operation}; Exception: [Status Code: ${statusName}; Reason: ${reason}]`),
  accessDenied: () => subscriptionErrors.extension(403, 'Create', 'Forbidden', 'Access is denied. Check credentials and try again.'),
  notFound: () => new GraphApiError(404, 'ResourceNotFound', 'The object was not found.'),
  httpsRequired: (name: string) =>
    new GraphApiError(400, 'ValidationError', `Subscription validation request failed. The ${name} must use the https scheme.`),
};

const createSchema = z.strictObject({
  '@odata.type': z.string().optional(),
  changeType: z.string(),
  notificationUrl: z.string(),
  resource: z.string(),
  expirationDateTime: z.string(),
  lifecycleNotificationUrl: z.string().nullable().optional(),
  clientState: z.string().nullable().optional(),
  latestSupportedTlsVersion: z.enum(TLS_VERSIONS).nullable().optional(),
  includeResourceData: z.boolean().nullable().optional(),
  // Accepted and ignored: they matter only with includeResourceData, which the sandbox refuses.
  encryptionCertificate: z.string().nullable().optional(),
  encryptionCertificateId: z.string().nullable().optional(),
  notificationUrlAppId: z.string().nullable().optional(),
  notificationQueryOptions: z.string().nullable().optional(),
});

export type SubscriptionCreateInput = z.infer<typeof createSchema>;

const updateSchema = z.strictObject({
  '@odata.type': z.string().optional(),
  expirationDateTime: z.string().optional(),
  notificationUrl: z.string().optional(),
});

export type SubscriptionUpdateInput = z.infer<typeof updateSchema>;

export function parseCreateInput(body: unknown): SubscriptionCreateInput {
  const parsed = createSchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const missing = parsed.error.issues.find((issue) => issue.code === 'invalid_type' && issue.input === undefined);
  throw missing ? subscriptionErrors.required(String(missing.path[0])) : subscriptionErrors.invalidPayload();
}

export function parseUpdateInput(body: unknown): SubscriptionUpdateInput {
  const parsed = updateSchema.safeParse(body ?? {});
  if (!parsed.success) throw subscriptionErrors.invalidPayload();
  if (parsed.data.expirationDateTime === undefined && parsed.data.notificationUrl === undefined) {
    throw subscriptionErrors.invalid('A subscription update needs an expirationDateTime or a notificationUrl.');
  }
  return parsed.data;
}

/** `created,updated` → the set; unknown or empty entries are refused. */
export function parseChangeTypes(raw: string): Set<GraphChangeType> {
  const types = new Set<GraphChangeType>();
  for (const item of raw.split(',')) {
    const type = CHANGE_TYPES.find((candidate) => candidate === item.trim().toLowerCase());
    if (type === undefined)
      throw subscriptionErrors.invalid(`'${item.trim()}' is not a valid changeType: use created, updated and deleted, comma-separated.`);
    types.add(type);
  }
  return types;
}

/** Whether `segment` names the caller: `me`, or `users/{id | userPrincipalName}`. */
function namesCaller(account: Account, owner: string, who: string | undefined): boolean {
  if (owner === 'me') return who === undefined;
  if (owner !== 'users' || who === undefined) return false;
  const name = decodeURIComponent(who)
    .replace(/^\('?|'?\)$/g, '')
    .toLowerCase();
  return name === account.id || name === account.email;
}

/**
 * The events a resource names: `me/events` (also `/me/events`, `users/{id}/events`) is the
 * whole mailbox, `me/calendar/events` the default calendar, `me/calendars/{id}/events` (or
 * `calendars('{id}')`) one calendar. Other users' mailboxes are refused like Graph refuses
 * a delegated token without access to them.
 */
export function parseResource(account: Account, raw: string): SubscriptionTarget {
  const invalid = (): GraphApiError =>
    subscriptionErrors.extension(
      400,
      'Create',
      'BadRequest',
      `The resource '${raw}' is not supported by the sandbox: subscribe to me/events or me/calendars/{id}/events.`,
    );
  if (raw.includes('?')) {
    throw subscriptionErrors.extension(
      400,
      'Create',
      'BadRequest',
      'The sandbox does not support query options ($filter, $select) in a subscription resource.',
    );
  }
  const segments = raw
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .split('/');
  const owner = (segments[0] ?? '').toLowerCase();
  const who = owner === 'users' ? segments[1] : undefined;
  const rest = segments.slice(owner === 'users' ? 2 : 1);
  if (owner !== 'me' && owner !== 'users') throw invalid();
  if (!namesCaller(account, owner, who)) throw subscriptionErrors.accessDenied();
  const [first = '', second, third] = rest;
  const lower = rest.map((segment) => segment.toLowerCase());
  if (rest.length === 1 && lower[0] === 'events') return { kind: 'mailbox' };
  if (rest.length === 2 && lower[0] === 'calendar' && lower[1] === 'events')
    return { kind: 'calendar', calendarId: account.mailbox.defaultCalendarId };
  const keyed = /^calendars\('([^']+)'\)$/i.exec(first);
  let calendarId: string | undefined;
  if (keyed && rest.length === 2 && lower[1] === 'events') calendarId = keyed[1];
  else if (rest.length === 3 && lower[0] === 'calendars' && second !== undefined && third?.toLowerCase() === 'events') calendarId = second;
  if (calendarId === undefined) throw invalid();
  try {
    return { kind: 'calendar', calendarId: findCalendar(account.mailbox, decodeURIComponent(calendarId)).id };
  } catch {
    throw subscriptionErrors.extension(404, 'Create', 'NotFound', 'The specified object was not found in the store.');
  }
}

/** The expiration as epoch ms: in the future and at most MAX_EVENT_SUBSCRIPTION_MINUTES away. */
export function parseExpiration(raw: string, now: number): number {
  const ms = parseZonedDateTime(raw, UTC_ZONE);
  if (ms === undefined) throw subscriptionErrors.invalidPayload();
  if (ms <= now) throw subscriptionErrors.invalid('Subscription expiration must be in the future.');
  if (ms > now + MAX_EVENT_SUBSCRIPTION_MINUTES * 60_000) {
    throw new GraphApiError(
      400,
      'ExtensionError',
      `Subscription expiration can only be ${MAX_EVENT_SUBSCRIPTION_MINUTES} minutes in the future.`,
    );
  }
  return ms;
}

/** An absolute http(s) URL, and https when the sandbox is told to insist like Graph does. */
export function checkWebhookUrl(name: 'notificationUrl' | 'lifecycleNotificationUrl', url: string, requireHttps: boolean): void {
  if (!isAbsoluteHttpUrl(url)) throw subscriptionErrors.invalid(`The ${name} '${url}' is not an absolute http or https URL.`);
  if (requireHttps && new URL(url).protocol !== 'https:') throw subscriptionErrors.httpsRequired(name);
}

export function parseClientState(raw: string | null | undefined): string | null {
  if (raw === undefined || raw === null) return null;
  if (raw.length > 128) throw subscriptionErrors.invalid('clientState can be at most 128 characters long.');
  return raw;
}
