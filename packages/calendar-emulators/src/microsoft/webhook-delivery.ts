// Delivery of change and lifecycle notifications to subscribers: asynchronous (the API
// call that caused a change never waits for it), one queue per subscription and kind so
// each subscriber sees its notifications in order, a timeout per POST (Graph: 3 s) and a
// few retries with exponential backoff when the subscriber does not answer 2xx (Graph keeps
// trying for up to 4 hours). A reset or shutdown abandons everything queued or in flight.

export interface DeliveryPolicy {
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the first retry; it doubles for each one after. */
  retryBaseDelayMs: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'dropped';

export interface DeliveryJob {
  /** Jobs with the same queue go out one after another, in the order they were queued. */
  queue: string;
  url: string;
  body: unknown;
  /** Asked before every attempt: false drops the job (its subscription ended, or is paused). */
  wanted(): boolean;
  onAttempt(): void;
  onDone(outcome: DeliveryOutcome): void;
}

/** Waits `ms`, or less if `signal` aborts; never keeps the process alive. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One POST of a JSON body; true for a 2xx answer within the timeout. */
async function post(url: string, body: unknown, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      // Graph does not follow redirects for notifications.
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    // Read the answer to the end (also under the timeout) so the connection can be reused.
    await response.arrayBuffer();
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}

export class WebhookDispatcher {
  private controller = new AbortController();
  private readonly tails = new Map<string, Promise<void>>();

  /** `policy` is read when a job starts, so configuration changes apply to what is queued next. */
  constructor(private readonly policy: () => DeliveryPolicy) {}

  /** Aborted (and replaced) by `abortAll`; the validation handshake listens to it too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  enqueue(job: DeliveryJob): void {
    const signal = this.controller.signal;
    const previous = this.tails.get(job.queue) ?? Promise.resolve();
    const next = previous.then(() => this.run(job, signal));
    this.tails.set(job.queue, next);
    void next.then(() => {
      if (this.tails.get(job.queue) === next) this.tails.delete(job.queue);
    });
  }

  /** Abandons every queued and in-flight delivery (their jobs end as dropped); later jobs run normally. */
  abortAll(): void {
    this.controller.abort();
    this.controller = new AbortController();
    this.tails.clear();
  }

  /** Never rejects: a queue's later jobs must still run. */
  private async run(job: DeliveryJob, signal: AbortSignal): Promise<void> {
    const policy = this.policy();
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted || !job.wanted()) return job.onDone('dropped');
      job.onAttempt();
      if (await post(job.url, job.body, policy.timeoutMs, signal)) return job.onDone('delivered');
      if (attempt >= policy.maxAttempts) return job.onDone(signal.aborted ? 'dropped' : 'failed');
      await pause(policy.retryBaseDelayMs * 2 ** (attempt - 1), signal);
    }
  }
}
