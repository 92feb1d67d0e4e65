import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A gRPC (HTTP/2 cleartext) relay in front of Temporal's frontend that can start refusing the
 * workers' task polls with PERMISSION_DENIED, as a revoked credential would: the SDK retries such
 * polls for about a minute, then fails the worker (`Worker.run()` rejects).
 */
export interface GrpcDenyProxy {
  address: string;
  denyPolls(): void;
  close(): Promise<void>;
}

const POLL = '/temporal.api.workflowservice.v1.WorkflowService/Poll';
const PERMISSION_DENIED = '7';

export async function startGrpcDenyProxy(target: string): Promise<GrpcDenyProxy> {
  const upstream = http2.connect(`http://${target}`);
  upstream.on('error', () => undefined);
  let denying = false;
  /** Long polls waiting for a task: refused at once when denial starts, rather than after the server's minute. */
  const waitingPolls = new Set<() => void>();
  const deny = (stream: http2.ServerHttp2Stream) =>
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': PERMISSION_DENIED, 'grpc-message': 'denied' },
      { endStream: true },
    );
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const isPoll = path.startsWith(POLL);
    if (denying && isPoll) {
      deny(stream);
      return;
    }
    const forwarded = Object.fromEntries(
      Object.entries(headers).filter(([name]) => !name.startsWith(':') || name === ':path' || name === ':method'),
    );
    const req = upstream.request(forwarded);
    req.on('error', () => stream.destroy());
    const refuse = () => {
      req.close();
      if (!stream.headersSent && !stream.destroyed) deny(stream);
    };
    if (isPoll) {
      waitingPolls.add(refuse);
      stream.once('close', () => waitingPolls.delete(refuse));
    }
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => {
      waitingPolls.delete(refuse);
      const { ':status': status, ...rest } = h;
      stream.respond({ ':status': status ?? 200, ...rest }, { waitForTrailers: true });
    });
    req.on('trailers', (t: http2.IncomingHttpHeaders) => {
      trailers = t;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(Object.fromEntries(Object.entries(trailers).filter(([n]) => !n.startsWith(':')))));
    stream.pipe(req);
    req.pipe(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    denyPolls() {
      denying = true;
      for (const refuse of [...waitingPolls]) refuse();
    },
    async close() {
      upstream.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
