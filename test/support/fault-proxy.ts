import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of a real server (Radicale) that can lose the response of
 * the next matching request after the server has handled it: the network failure an emulator
 * injects with `dropResponse`, for servers that have no fault injection of their own. It also
 * records what passed through, for tests about the requests a client sends.
 */
export interface FaultProxy {
  url: string;
  dropNextResponse(method: string): void;
  /** Runs `action` (e.g. a concurrent edit) right before forwarding the next `method` request. */
  beforeNext(method: string, action: () => Promise<void>): void;
  /** Every request forwarded so far, oldest first, to assert what the client sent. */
  readonly requests: ReadonlyArray<{ method: string; path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let armed: string | undefined;
  let before: { method: string; action: () => Promise<void> } | undefined;
  const requests: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }> = [];
  const relay = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const drop = armed !== undefined && req.method === armed;
    if (drop) armed = undefined;
    if (before && req.method === before.method) {
      const { action } = before;
      before = undefined;
      req.pause();
      await action();
      req.resume();
    }
    const forward = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (drop) {
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.socket?.destroy());
    req.pipe(forward);
  };
  const server = http.createServer((req, res) => void relay(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dropNextResponse(method) {
      armed = method;
    },
    beforeNext(method, action) {
      before = { method, action };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
