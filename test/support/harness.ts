import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Writable } from 'node:stream';
import { loadConfig, type AppConfig } from '../../src/config';
import { createPool } from '../../src/db/pool';
import { createLogger } from '../../src/logging';
import { GoogleSandboxControl, startGoogleSandbox } from 'calendar-emulators/google';
import { MicrosoftSandboxControl, startMicrosoftSandbox } from 'calendar-emulators/microsoft';
import { findFreePort } from '../../tools/dev/ports';
import { startService, type RunningService } from '../../src/service';
import { consent, redirectOf } from 'calendar-emulators/consent-client';
import type { Pool } from 'pg';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createClient, type CalsyncClient } from 'calsync-client';
import { registerServiceOrigin, unregisterServiceOrigin } from './service-origins';

// Lives in its own module so tests that need no harness can wait without loading the service.
export { eventually } from './eventually';

export interface Harness {
  config: AppConfig;
  service: RunningService;
  /** Untyped requests, malformed ones included (through `client.raw`). */
  api: ApiClient;
  /** The typed client with the test API key: `h.client.call('confirmBooking', {...})`. */
  client: CalsyncClient;
  google: GoogleSandboxControl;
  microsoft: MicrosoftSandboxControl;
  pool: Pool;
  /** Every log line the service wrote, for secret-leak checks. */
  logs: string[];
  /** A unique id for this test's bookings and users. */
  id(prefix: string): string;
  /** Connects a user to a fresh sandbox Google calendar through the real OAuth flow. */
  connectGoogle(userId: string, email?: string): Promise<{ connectionId: string; email: string }>;
  /** The same for a sandbox Microsoft account. */
  connectMicrosoft(userId: string, email?: string): Promise<{ connectionId: string; email: string }>;
  /**
   * Stops the service (API and worker) and starts a new one on the same port, task queue,
   * database and sandboxes, its environment changed by `overrides` (e.g. a rotated
   * ENCRYPTION_KEYS). The new worker has an empty workflow cache: open workflows replay from
   * their histories. `config` and `service` then describe the new one.
   */
  restart(overrides: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export type ApiClient = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  opts?: { key?: string | null; rawBody?: string; contentType?: string; headers?: Record<string, string> },
) => Promise<ApiResponse<T>>;

export const TEST_CLIENT = { id: 'test-client-id.apps.sandbox', secret: 'test-client-secret' };

/**
 * The whole service in this test process against real parts: the shared Temporal dev server and
 * database from global setup, a Google sandbox emulator, a worker on its own task queue and the
 * HTTP API on a free port.
 */
export async function startHarness(
  overrides: Record<string, string> = {},
  opts: { /** Tracing on, spans handed to this exporter. */ spanExporter?: SpanExporter } = {},
): Promise<Harness> {
  const google = await startGoogleSandbox({ port: 0, clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret });
  const microsoft = await startMicrosoftSandbox({ port: 0, clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret });
  const apiKey = `test_${randomBytes(24).toString('base64url')}`;
  // The API listens on a free port; PUBLIC_BASE_URL (OAuth redirects) must name it.
  const port = await findFreePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    API_KEYS: apiKey,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    ENCRYPTION_KEYS: `test1:${randomBytes(32).toString('hex')}`,
    GOOGLE_CLIENT_ID: TEST_CLIENT.id,
    GOOGLE_CLIENT_SECRET: TEST_CLIENT.secret,
    GOOGLE_AUTH_URL: `${google.url}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${google.url}/token`,
    GOOGLE_REVOKE_URL: `${google.url}/revoke`,
    GOOGLE_API_URL: google.url,
    MICROSOFT_CLIENT_ID: TEST_CLIENT.id,
    MICROSOFT_CLIENT_SECRET: TEST_CLIENT.secret,
    MICROSOFT_LOGIN_URL: microsoft.url,
    MICROSOFT_GRAPH_URL: `${microsoft.url}/v1.0`,
    LOG_LEVEL: 'debug',
    // Tests poll the API hard; the limiter has its own test (http-hardening).
    API_RATE_LIMIT_PER_MINUTE: '0',
    // Test CalDAV servers (Radicale, stubs) listen on loopback; the SSRF test turns this off.
    CALDAV_ALLOW_PRIVATE_NETWORKS: 'true',
    ...overrides,
  };
  let config = loadConfig(env);
  const logs: string[] = [];
  const logger = createLogger(
    config.logLevel,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  const pool = createPool(config.databaseUrl!, 5);
  const launch = (c: AppConfig) =>
    startService({
      config: c,
      pool,
      logger,
      worker: true,
      api: true,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      ...(opts.spanExporter ? { spanExporter: opts.spanExporter } : {}),
    });
  let service = await launch(config).catch(async (err: unknown) => {
    // Tests of start-up failures expect this rejection; nothing of the harness may outlive it.
    await Promise.all([pool.end(), google.close(), microsoft.close()]);
    throw err;
  });
  const baseUrl = service.url!;
  // A restart keeps the port: the origin stays registered until close.
  registerServiceOrigin(baseUrl);
  const suffix = randomBytes(4).toString('hex');

  const client = createClient({ baseUrl, apiKey });
  // No key of its own: each request below says which key it brings, if any.
  const transport = createClient({ baseUrl });
  const api: ApiClient = async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? apiKey : opts.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined = opts.rawBody;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const res = await transport.raw(method, path, { body: payload, headers });
    return { status: res.status, body: res.body as never };
  };

  const control = new GoogleSandboxControl(google.url);
  async function connect(provider: 'google' | 'microsoft', userId: string, email?: string) {
    const account = email ?? `${userId.toLowerCase()}@sandbox.test`;
    const link = await api<{ url: string }>('POST', `/v1/users/${userId}/connect-links`, {
      provider,
      returnUrl: 'https://app.example.com/done',
    });
    if (link.status !== 201) throw new Error(`connect link: ${link.status} ${JSON.stringify(link.body)}`);
    // One browser: the cookie the link sets goes with it to the callback.
    const opened = await redirectOf(link.body.url);
    if (opened.status !== 302 || !opened.location) throw new Error(`connect link: ${opened.status} ${opened.body.slice(0, 200)}`);
    const back = await redirectOf(await consent(opened.location, account), opened.cookie);
    const result = new URL(back.location ?? 'https://invalid/');
    const connectionId = result.searchParams.get('connection');
    if (result.searchParams.get('status') !== 'connected' || !connectionId)
      throw new Error(`connect failed: ${back.status} ${back.location} ${back.body.slice(0, 200)}`);
    return { connectionId, email: account };
  }
  return {
    get config() {
      return config;
    },
    get service() {
      return service;
    },
    api,
    client,
    google: control,
    microsoft: new MicrosoftSandboxControl(microsoft.url),
    pool,
    logs,
    id: (prefix) => `${prefix}-${suffix}-${randomBytes(3).toString('hex')}`,
    connectGoogle: (userId, email) => connect('google', userId, email),
    connectMicrosoft: (userId, email) => connect('microsoft', userId, email),
    async restart(changes) {
      await service.close();
      config = loadConfig({ ...env, ...changes });
      service = await launch(config);
    },
    async close() {
      unregisterServiceOrigin(baseUrl);
      await service.close();
      await pool.end();
      await google.close();
      await microsoft.close();
    },
  };
}
