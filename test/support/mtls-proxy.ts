import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';

/**
 * A TLS front for a plain gRPC server (the dev server): it demands a client certificate signed
 * by `clientCa`, as a secured Temporal frontend does, and pipes accepted connections through.
 */
export interface MtlsProxy {
  /** host:port to connect to. */
  address: string;
  /** Why the proxy refused clients (OpenSSL's reason for each failed handshake), oldest first. */
  readonly refusals: readonly string[];
  /** Subjects of the client certificates it accepted. */
  readonly accepted: readonly string[];
  close(): Promise<void>;
}

export async function startMtlsProxy(opts: { upstream: string; cert: string; key: string; clientCa: string }): Promise<MtlsProxy> {
  const [cert, key, ca] = await Promise.all([readFile(opts.cert), readFile(opts.key), readFile(opts.clientCa)]);
  const [host, port] = splitAddress(opts.upstream);
  const refusals: string[] = [];
  const accepted: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    // gRPC is HTTP/2: clients insist on ALPN `h2`.
    { cert, key, ca, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (client) => {
      accepted.push(String(client.getPeerCertificate().subject?.CN ?? ''));
      const backend = net.connect(port, host);
      for (const s of [client, backend]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(backend).pipe(client);
      client.on('close', () => backend.destroy());
      backend.on('close', () => client.destroy());
    },
  );
  server.on('tlsClientError', (err) => refusals.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusals,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
