import { serveSandbox, type RunningSandbox } from '../shared/server';
import type { SandboxLogger } from '../shared/types';
import { createMicrosoftSandboxApp } from './app';
import { createMicrosoftState, type MicrosoftSandboxState } from './state';
import type { MicrosoftSandboxConfig } from './types';

export interface MicrosoftSandboxOptions {
  /** 0 or absent: pick a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the sandbox has no real security and should not be reachable from outside. */
  host?: string;
  clientId: string;
  clientSecret: string;
  /** Restricts accepted redirect URIs, like the app registration's "Redirect URIs". */
  redirectUris?: string[];
  /**
   * Start-up (and post-reset) configuration; defaults: 3600 s access tokens, 90-day refresh
   * tokens, lenient rotation, 10,000 Graph requests per mailbox per 10 minutes, 4 in flight at
   * once; webhooks: http allowed (`requireHttpsWebhooks: false`), 10 s validation handshake,
   * 3 s per notification, 4 attempts 1 s / 2 s / 4 s apart.
   */
  config?: Partial<MicrosoftSandboxConfig>;
  logger?: SandboxLogger;
  /** The sandbox's clock (token expiry, subscriptions, throttling); defaults to Date.now. Tests pass their own. */
  now?: () => number;
}

/**
 * `url` is e.g. http://127.0.0.1:41234 (no trailing slash): MICROSOFT_LOGIN_URL is `url`,
 * MICROSOFT_GRAPH_URL is `${url}/v1.0`. `close()` is idempotent.
 */
export type RunningMicrosoftSandbox = RunningSandbox;

export function createMicrosoftSandboxState(options: MicrosoftSandboxOptions): MicrosoftSandboxState {
  return createMicrosoftState({
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

export async function startMicrosoftSandbox(options: MicrosoftSandboxOptions): Promise<RunningMicrosoftSandbox> {
  const state = createMicrosoftSandboxState(options);
  const running = await serveSandbox(createMicrosoftSandboxApp(state), options);
  return {
    ...running,
    close() {
      // Notifications still queued or being retried would otherwise outlive the sandbox.
      state.webhooks.abortAll();
      return running.close();
    },
  };
}
