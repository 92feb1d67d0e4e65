import { z } from 'zod';
import { GoogleApiError, apiErrors } from './errors';
import { eventsResourceId } from './ids';
import { dropQueued, enqueueNotification, isLive, type PushMessage } from './push-delivery';
import type { Account, CalendarStore, SandboxState } from './state';
import type { GoogleChannelResource, SandboxChannelState, SandboxChannelView, SandboxConfig } from './types';

// Push notification channels on a calendar's events (events.watch, channels.stop). A
// channel gets a `sync` message when opened and an `exists` message for every later
// write to the calendar's events, whoever makes it (API or control), until it is
// stopped or expires. Channel ids are unique among open channels; a stopped or expired
// channel's id may be used again.

const DEFAULT_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const MAX_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface WatchChannel {
  id: string;
  resourceId: string;
  resourceUri: string;
  token?: string;
  address: string;
  params?: Record<string, string>;
  expirationMs: number;
  /** The OAuth client that opened it: only that client's tokens can stop it (Google: same project). */
  clientId: string;
  calendar: CalendarStore;
  account: Account;
  /** The sandbox-wide counters at opening time (a reset swaps them, so old channels cannot touch new ones). */
  totals: SandboxState['notifications'];
  stopped: boolean;
  messageNumber: number;
  queue: PushMessage[];
  sending: boolean;
  delivered: number;
  failed: number;
  retries: number;
  dropped: number;
  lastError?: string;
}

// Google: "A UUID or similar unique string", at most 64 characters.
const CHANNEL_ID = /^[A-Za-z0-9\-_+/=]{1,64}$/;

const watchSchema = z.object({
  id: z.string().regex(CHANNEL_ID, 'Invalid channel id.'),
  type: z.string().refine((type) => type === 'web_hook' || type === 'webhook', 'Invalid channel type.'),
  address: z.url({ protocol: /^https?$/, error: 'Invalid webhook address.' }),
  token: z.string().max(256, 'Channel token is too long.').optional(),
  expiration: z.union([z.string().regex(/^\d+$/), z.number().int()], { error: 'Invalid value for: expiration' }).optional(),
  params: z.record(z.string(), z.string(), { error: 'Invalid value for: params' }).optional(),
});

export type WatchInput = z.infer<typeof watchSchema>;

/** Validates events.watch's body, with Google's errors for the cases clients hit. */
export function parseWatchRequest(body: unknown, config: SandboxConfig): WatchInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiErrors.required('Required');
  for (const field of ['id', 'type', 'address'] as const) {
    if ((body as Record<string, unknown>)[field] === undefined) throw apiErrors.required(`Missing channel ${field}.`);
  }
  const result = watchSchema.safeParse(body);
  if (!result.success) throw apiErrors.invalid(result.error.issues[0]?.message ?? 'Invalid channel.');
  const input = result.data;
  if (config.requireHttpsWebhooks && new URL(input.address).protocol !== 'https:') {
    throw new GoogleApiError(400, 'push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${input.address}`);
  }
  return input;
}

/** Requested expiry (or params.ttl seconds), default 7 days, never beyond 30 days. */
function expirationFor(input: WatchInput, now: number): number {
  let requested = now + DEFAULT_LIFETIME_MS;
  const ttl = input.params?.['ttl'];
  if (input.expiration !== undefined) {
    requested = Number(input.expiration);
  } else if (ttl !== undefined) {
    if (!/^\d+$/.test(ttl) || Number(ttl) === 0) throw apiErrors.invalid('Invalid value for: params.ttl');
    requested = now + Number(ttl) * 1000;
  }
  if (requested <= now) throw apiErrors.invalid('Invalid value for: expiration');
  return Math.min(requested, now + MAX_LIFETIME_MS);
}

export interface OpenChannel {
  input: WatchInput;
  account: Account;
  calendar: CalendarStore;
  clientId: string;
  /** The watched collection's URI as the client addressed it. */
  resourceUri: string;
}

/** events.watch: registers the channel and queues its `sync` message. */
export function openChannel(state: SandboxState, open: OpenChannel): WatchChannel {
  const now = state.now();
  const existing = state.channels.get(open.input.id);
  if (existing && isLive(existing, now)) {
    throw new GoogleApiError(400, 'channelIdNotUnique', 'Channel id not unique');
  }
  const channel: WatchChannel = {
    id: open.input.id,
    resourceId: eventsResourceId(open.calendar.id),
    resourceUri: open.resourceUri,
    address: open.input.address,
    expirationMs: expirationFor(open.input, now),
    clientId: open.clientId,
    calendar: open.calendar,
    account: open.account,
    totals: state.notifications,
    stopped: false,
    messageNumber: 0,
    queue: [],
    sending: false,
    delivered: 0,
    failed: 0,
    retries: 0,
    dropped: 0,
  };
  if (open.input.token !== undefined) channel.token = open.input.token;
  if (open.input.params !== undefined) channel.params = { ...open.input.params };
  // Re-inserted, so the control API lists channels in the order they were opened.
  state.channels.delete(channel.id);
  state.channels.set(channel.id, channel);
  enqueueNotification(state, channel, 'sync');
  return channel;
}

export function channelResource(channel: WatchChannel): GoogleChannelResource {
  return {
    kind: 'api#channel',
    id: channel.id,
    resourceId: channel.resourceId,
    resourceUri: channel.resourceUri,
    ...(channel.token !== undefined ? { token: channel.token } : {}),
    expiration: String(channel.expirationMs),
  };
}

/** channels.stop: an unknown, closed or foreign channel (or a wrong resourceId) is 404. */
export function stopChannel(state: SandboxState, body: unknown, clientId: string): void {
  const input = z.object({ id: z.string(), resourceId: z.string() }).safeParse(body);
  if (!input.success) throw apiErrors.required('Missing channel id or resourceId.');
  const { id, resourceId } = input.data;
  const channel = state.channels.get(id);
  if (!channel || !isLive(channel, state.now()) || channel.resourceId !== resourceId || channel.clientId !== clientId) {
    throw new GoogleApiError(404, 'notFound', `Channel '${id}' not found for project '${clientId}'`);
  }
  closeChannel(channel);
}

function closeChannel(channel: WatchChannel): void {
  channel.stopped = true;
  dropQueued(channel);
}

/** Control API: the channel expires now (Google would simply stop sending to it). */
export function expireChannel(state: SandboxState, channel: WatchChannel): void {
  channel.expirationMs = Math.min(channel.expirationMs, state.now());
  dropQueued(channel);
}

/** Every write to a calendar's events: one `exists` message on each of its open channels. */
export function announceEventsChanged(state: SandboxState, calendar: CalendarStore): void {
  for (const channel of state.channels.values()) {
    if (channel.calendar === calendar) enqueueNotification(state, channel, 'exists');
  }
}

/** Reset: every channel closes, and nothing queued is sent. */
export function closeAllChannels(state: SandboxState): void {
  for (const channel of state.channels.values()) closeChannel(channel);
  state.channels = new Map();
}

function channelState(channel: WatchChannel, now: number): SandboxChannelState {
  if (channel.stopped) return 'stopped';
  return now < channel.expirationMs ? 'active' : 'expired';
}

export function channelView(channel: WatchChannel, now: number): SandboxChannelView {
  return {
    id: channel.id,
    resourceId: channel.resourceId,
    resourceUri: channel.resourceUri,
    ...(channel.token !== undefined ? { token: channel.token } : {}),
    address: channel.address,
    ...(channel.params !== undefined ? { params: { ...channel.params } } : {}),
    calendarId: channel.calendar.id,
    expiration: channel.expirationMs,
    state: channelState(channel, now),
    messages: channel.messageNumber,
    delivered: channel.delivered,
    failed: channel.failed,
    retries: channel.retries,
    dropped: channel.dropped,
    pending: channel.queue.length,
    ...(channel.lastError !== undefined ? { lastError: channel.lastError } : {}),
  };
}

/** The account's channels (optionally on one calendar), in the order they were opened. */
export function accountChannels(state: SandboxState, account: Account, calendar?: CalendarStore): WatchChannel[] {
  return [...state.channels.values()].filter(
    (channel) => channel.account === account && (calendar === undefined || channel.calendar === calendar),
  );
}
