import { serveSandbox, type RunningSandbox } from '../shared/server';
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
  /**
   * Start-up (and post-reset) configuration; defaults: 3600 s tokens, 600 req/min/user, scopes
   * enforced, http webhooks allowed (`requireHttpsWebhooks: true` refuses them, as Google does),
   * push notifications tried 3 times with a 5 s timeout and 1 s, 2 s backoff.
   */
  config?: Partial<SandboxConfig>;
  logger?: SandboxLogger;
  /** The sandbox's clock (token expiry, channels, rate limits); defaults to Date.now. Tests pass their own. */
  now?: () => number;
}

/** `url` is e.g. http://127.0.0.1:41234, no trailing slash; `close()` is idempotent. */
export type RunningGoogleSandbox = RunningSandbox;

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
    now: options.now,
  });
}

export function startGoogleSandbox(options: GoogleSandboxOptions): Promise<RunningGoogleSandbox> {
  return serveSandbox(createGoogleSandboxApp(createGoogleSandboxState(options)), options);
}
