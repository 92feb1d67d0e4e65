import net from 'node:net';

/**
 * Asks the OS for a free TCP port on `host` by listening on port 0 and closing again.
 * The port can in principle be taken by someone else before the caller binds it, so callers
 * that spawn a server on it should treat "address in use" as retryable.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the OS assigned'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
