import type { SandboxState } from './state';
import type { WatchChannel } from './channels';

// Sends a channel's notifications: one POST per message, in message-number order (one
// queue per channel, one message in flight at a time), never on the API call's path.
// Like Google, only 200, 201, 202 and 204 mean delivered; timeouts, network errors, 429
// and 5xx are retried with exponential backoff a few times (config.webhookAttempts), any
// other status fails the message at once. A failed message is counted and skipped; the
// channel stays open. Nothing is sent for a channel that was stopped or has expired,
// including retries and messages still queued.

export type ResourceState = 'sync' | 'exists';

export interface PushMessage {
  number: number;
  resourceState: ResourceState;
}

const DELIVERED = new Set([200, 201, 202, 204]);
const USER_AGENT = 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)';

export function isLive(channel: WatchChannel, now: number): boolean {
  return !channel.stopped && now < channel.expirationMs;
}

function headersFor(channel: WatchChannel, message: PushMessage): Record<string, string> {
  return {
    'User-Agent': USER_AGENT,
    'X-Goog-Channel-ID': channel.id,
    ...(channel.token !== undefined ? { 'X-Goog-Channel-Token': channel.token } : {}),
    'X-Goog-Channel-Expiration': new Date(channel.expirationMs).toUTCString(),
    'X-Goog-Resource-ID': channel.resourceId,
    'X-Goog-Resource-URI': channel.resourceUri,
    'X-Goog-Resource-State': message.resourceState,
    'X-Goog-Message-Number': String(message.number),
  };
}

type Attempt = { outcome: 'delivered' } | { outcome: 'retry' | 'failed'; error: string };

async function attempt(state: SandboxState, channel: WatchChannel, message: PushMessage): Promise<Attempt> {
  try {
    const response = await fetch(channel.address, {
      method: 'POST',
      headers: headersFor(channel, message),
      // An empty byte body: Content-Length 0 and no Content-Type, like Google's.
      body: new Uint8Array(0),
      redirect: 'manual',
      signal: AbortSignal.timeout(state.config.webhookTimeoutMs),
    });
    await response.body?.cancel();
    if (DELIVERED.has(response.status)) return { outcome: 'delivered' };
    const retryable = response.status === 429 || response.status >= 500;
    return { outcome: retryable ? 'retry' : 'failed', error: `HTTP ${response.status}` };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    return { outcome: 'retry', error: timedOut ? 'timeout' : (cause ?? String(error)) };
  }
}

function sleep(ms: number): Promise<void> {
  // Unref'd: a pending retry must not keep a test process (or the CLI) alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Tries one message until it is delivered, fails for good, or the channel closes. */
async function deliver(state: SandboxState, channel: WatchChannel, message: PushMessage): Promise<void> {
  const attempts = Math.max(1, state.config.webhookAttempts);
  for (let tried = 0; tried < attempts; tried += 1) {
    if (!isLive(channel, state.now())) {
      channel.dropped += 1;
      return;
    }
    if (tried > 0) channel.retries += 1;
    const result = await attempt(state, channel, message);
    if (result.outcome === 'delivered') {
      channel.delivered += 1;
      channel.account.stats.notificationsDelivered += 1;
      channel.totals.delivered += 1;
      return;
    }
    channel.lastError = result.error;
    if (result.outcome === 'failed') break;
    if (tried + 1 < attempts) await sleep(state.config.webhookRetryDelayMs * 2 ** tried);
  }
  channel.failed += 1;
  channel.account.stats.notificationsFailed += 1;
  channel.totals.failed += 1;
}

async function pump(state: SandboxState, channel: WatchChannel): Promise<void> {
  channel.sending = true;
  try {
    for (let message = channel.queue[0]; message !== undefined; message = channel.queue[0]) {
      await deliver(state, channel, message);
      channel.queue.shift();
    }
  } finally {
    channel.sending = false;
  }
}

/** Queues the channel's next message; returns at once (the POST happens later). */
export function enqueueNotification(state: SandboxState, channel: WatchChannel, resourceState: ResourceState): void {
  if (!isLive(channel, state.now())) return;
  channel.messageNumber += 1;
  channel.queue.push({ number: channel.messageNumber, resourceState });
  if (channel.sending) return;
  channel.sending = true;
  setImmediate(() => {
    pump(state, channel).catch((error: unknown) => {
      state.logger?.error({ err: error }, 'google sandbox: push delivery crashed');
    });
  });
}

/** Forgets what is queued (stop, expiry): those messages are never sent. */
export function dropQueued(channel: WatchChannel): void {
  // The head may be in flight; it notices the closed channel before its next try.
  const kept = channel.sending ? channel.queue.slice(0, 1) : [];
  channel.dropped += channel.queue.length - kept.length;
  channel.queue = kept;
}
