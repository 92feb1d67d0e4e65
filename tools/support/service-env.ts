import { randomBytes } from 'node:crypto';

export interface ServiceEnvInput {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  port: number;
  apiKey: string;
  /** The OAuth client the sandbox emulators accept. */
  sandboxClient: { id: string; secret: string };
  googleUrl: string;
  microsoftUrl?: string;
  workflowBundlePath?: string;
}

/**
 * The environment of an API or worker process run against local emulators (chaos runs, the
 * benchmark): fresh secrets, no API rate limit, CalDAV servers on loopback allowed, quiet logs. Only PATH and HOME are inherited.
 */
export function sandboxServiceEnv(i: ServiceEnvInput): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: i.databaseUrl,
    TEMPORAL_ADDRESS: i.temporalAddress,
    TEMPORAL_TASK_QUEUE: i.taskQueue,
    PORT: String(i.port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${i.port}`,
    API_KEYS: i.apiKey,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    GOOGLE_CLIENT_ID: i.sandboxClient.id,
    GOOGLE_CLIENT_SECRET: i.sandboxClient.secret,
    GOOGLE_AUTH_URL: `${i.googleUrl}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${i.googleUrl}/token`,
    GOOGLE_REVOKE_URL: `${i.googleUrl}/revoke`,
    GOOGLE_API_URL: i.googleUrl,
    ...(i.microsoftUrl
      ? {
          MICROSOFT_CLIENT_ID: i.sandboxClient.id,
          MICROSOFT_CLIENT_SECRET: i.sandboxClient.secret,
          MICROSOFT_LOGIN_URL: i.microsoftUrl,
          MICROSOFT_GRAPH_URL: `${i.microsoftUrl}/v1.0`,
        }
      : {}),
    API_RATE_LIMIT_PER_MINUTE: '0',
    // Radicale and the fault proxies listen on loopback.
    CALDAV_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
    ...(i.workflowBundlePath ? { WORKFLOW_BUNDLE_PATH: i.workflowBundlePath } : {}),
  };
}
