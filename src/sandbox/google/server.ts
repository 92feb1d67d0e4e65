import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGoogleSandboxApp } from './app';
import { createSandboxState, type SandboxLogger, type SandboxState } from './state';
import type { SandboxConfig } from './types';

export interface GoogleSandboxOptions {
  /** 0 or absent: pick a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the sandbox has no real security and should not be reachable from outside. */
  host?: string;
  clientId: string;
  clientSecret: string;
  /** Restricts accepted redirect URIs, like the client's "Authorized redirect URIs" at Google. */
  redirectUris?: string[];
  /** Start-up (and post-reset) configuration; defaults: 3600 s tokens, 600 req/min/user, scopes enforced. */
  config?: Partial<SandboxConfig>;
  logger?: SandboxLogger;
}

export interface RunningGoogleSandbox {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export function createGoogleSandboxState(options: GoogleSandboxOptions): SandboxState {
  return createSandboxState({
    clients: [
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
      },
    ],
    config: options.config,
    logger: options.logger,
  });
}

export async function startGoogleSandbox(options: GoogleSandboxOptions): Promise<RunningGoogleSandbox> {
  const host = options.host ?? '127.0.0.1';
  const app = createGoogleSandboxApp(createGoogleSandboxState(options));
  const server = createServer(app);
  const address = await listen(server, options.port ?? 0, host);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${address.port}`,
    port: address.port,
    close() {
      // Idempotent, and it does not wait for idle keep-alive connections to time out.
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
