import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  id: string;
  type: string;
  data: Record<string, unknown>;
  status: number;
}

/** A booking system's NOTIFY_URL endpoint: records every delivery; `answer` picks the status. */
export async function startNotifyReceiver(answer: (n: Omit<ReceivedNotification, 'status'>, attempt: number) => number = () => 200): Promise<{
  url: string;
  received: ReceivedNotification[];
  /** Accepted deliveries (2xx) of this type about this booking. */
  accepted(type: string, bookingId: string): ReceivedNotification[];
  close(): Promise<void>;
}> {
  const received: ReceivedNotification[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<ReceivedNotification, 'status'>;
      const attempt = (attempts.get(body.id) ?? 0) + 1;
      attempts.set(body.id, attempt);
      const status = answer(body, attempt);
      received.push({ ...body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/calendar-events`,
    received,
    accepted: (type, bookingId) => received.filter((n) => n.type === type && n.data['bookingId'] === bookingId && n.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
