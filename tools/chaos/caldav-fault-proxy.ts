import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ruleProbabilities, TIMEOUT_LATENCY_MS, type FaultKind } from './fault-mix';
import { seededRandom } from './random';

/**
 * A proxy in front of Radicale that fails about `rate` of the requests the way a CalDAV server
 * or the network does (Radicale has no fault injection of its own): 503, 429 with
 * Retry-After, the write done but its answer lost, a reset connection, a stalled answer.
 */
export interface CalDavFaultProxy {
  url: string;
  faultsInjected(): number;
  close(): Promise<void>;
}

export async function startCalDavFaultProxy(target: string, rate: number, seed: number): Promise<CalDavFaultProxy> {
  const upstream = new URL(target);
  const random = seededRandom(seed);
  const rules = ruleProbabilities(rate);
  let injected = 0;
  const choose = (): FaultKind | undefined => {
    for (const [kind, p] of rules) if (random() < p) return kind;
    return undefined;
  };
  const server = http.createServer((req, res) => {
    const fault = choose();
    if (fault) injected += 1;
    if (fault === 'connection_reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'server_error' || fault === 'rate_limited') {
      req.resume();
      res.writeHead(fault === 'server_error' ? 503 : 429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('injected fault');
      return;
    }
    const forward = () => {
      const out = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          if (fault === 'dropped_response') {
            answer.resume();
            answer.on('end', () => res.socket?.destroy());
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.socket?.destroy());
      req.pipe(out);
    };
    if (fault === 'timeout') setTimeout(forward, TIMEOUT_LATENCY_MS).unref();
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faultsInjected: () => injected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
