import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  id: string;
  type: string;
  data: Record<string, unknown>;
  status: number;
  /** When the request arrived here (ms since the epoch), by this process's clock. */
  at: number;
  /** The exact bytes and the headers that authenticate them, for checking the signature. */
  raw: Buffer;
  signature: string | undefined;
  idempotencyKey: string | undefined;
  /** Every header as received (lower-case names), Standard Webhooks' `webhook-*` among them. */
  headers: Record<string, string>;
}

/** What the receiver answers: a status, optionally with a `Retry-After` value. */
export type NotifyAnswer = number | { status: number; retryAfter?: string };

/**
 * A booking system's NOTIFY_URL endpoint: records every delivery; `answer` picks the status.
 * `stop()` closes the port (deliveries then fail to connect) and `start()` opens the same one again.
 */
export async function startNotifyReceiver(
  answer: (n: Pick<ReceivedNotification, 'id' | 'type' | 'data'>, attempt: number) => NotifyAnswer = () => 200,
): Promise<{
  url: string;
  received: ReceivedNotification[];
  /** Accepted deliveries (2xx) of this type about this booking. */
  accepted(type: string, bookingId: string): ReceivedNotification[];
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}> {
  const received: ReceivedNotification[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8')) as Pick<ReceivedNotification, 'id' | 'type' | 'data'>;
      const attempt = (attempts.get(body.id) ?? 0) + 1;
      attempts.set(body.id, attempt);
      const a = answer(body, attempt);
      const { status, retryAfter } = typeof a === 'number' ? { status: a, retryAfter: undefined } : a;
      received.push({
        ...body,
        status,
        at,
        raw,
        signature: req.headers['x-signature'] as string | undefined,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      });
      res.writeHead(status, retryAfter === undefined ? {} : { 'retry-after': retryAfter }).end();
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Kept-alive connections would otherwise still reach the closed server.
      server.closeAllConnections();
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/calendar-events`,
    received,
    accepted: (type, bookingId) => received.filter((n) => n.type === type && n.data['bookingId'] === bookingId && n.status < 300),
    stop: close,
    start: () => listen(port),
    close: () => (server.listening ? close() : Promise.resolve()),
  };
}
