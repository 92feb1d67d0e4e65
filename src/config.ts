import { parseReminders, type Reminder } from './events/reminders';
import { readTemplatesSetting } from './events/templates-setting';
import type { EventTemplates } from './domain/event-templates';
import { envSchema, isSecureBaseUrl } from './env-schema';
import { parseKeyring, type KeyringEntry } from './crypto/keyring';
import { instantMillis } from './domain/booking-input-schemas';
import type { PrivateNetworkAllowance } from './net/address-policy';
import { parseOutlookReminderChoice, type OutlookReminderChoice } from './providers/microsoft/reminder-choice';
import { parseTrustProxy } from './trust-proxy';
import { parseFrameAncestors } from './frame-ancestors';
import type { InvitationMode } from './domain/invitations';
import { readTemporalConnection, type TemporalConnection } from './temporal/connection-settings';
import { parseStandardSecrets } from './crypto/standard-webhooks';

/** The service's configuration, read once from the environment at start-up. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  /** Unset in development: `npm start` then runs an embedded PostgreSQL. */
  databaseUrl: string | undefined;
  /** Connections each process's pool opens at most (every API and worker process has its own pool). */
  databasePoolMax: number;
  /** Where and how to reach Temporal (address, namespace, API key, TLS), then what this service runs on it. */
  temporal: TemporalConnection & {
    taskQueue: string;
    /** History length at which booking and calendar account workflows continue as new; undefined = each workflow's own default. */
    maxHistoryEvents: number | undefined;
  };
  port: number;
  /** Where every process (API, worker or both) serves /healthz, /readyz and /metrics apart from the API; undefined = nowhere. */
  metricsPort: number | undefined;
  /** Bearer key that opens /metrics on the API port; undefined = open in development, absent there in production. */
  metricsKey: string | undefined;
  publicBaseUrl: string;
  apiKeys: string[];
  /** The keys that open the codec endpoint (/codec), and nothing else; API_KEYS never open it. */
  codecApiKeys: string[];
  /**
   * Development only (`npm start` sets CODEC_OPEN_IN_DEVELOPMENT=true): the local dev server's Web UI
   * cannot send a key, so the codec answers it from this machine without one. Refused in production.
   */
  codecOpenInDevelopment: boolean;
  webhookSecret: string;
  encryptionKeys: KeyringEntry[];
  /**
   * Until this moment (epoch ms), the payload codec decodes plain payloads (histories written
   * before it existed) instead of refusing them; undefined = refused always.
   */
  payloadPlaintextAcceptedUntilMs: number | undefined;
  google: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    authUrl: string;
    tokenUrl: string;
    revokeUrl: string;
    apiUrl: string;
    /** The project's "queries per minute per user" quota; bulk work is paced under it. */
    quotaPerUserPerMinute: number;
  };
  microsoft: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    tenant: string;
    loginUrl: string;
    graphUrl: string;
    /** Outlook keeps one reminder per event: which of `eventReminders` it is. */
    reminder: OutlookReminderChoice;
  };
  icloudCaldavUrl: string;
  caldav: {
    /**
     * Which non-public addresses (loopback, private, link-local, ...) CalDAV servers named by
     * end users may be reached at: none (`false`), all (`true`), or only the listed ranges.
     */
    allowPrivateNetworks: PrivateNetworkAllowance;
  };
  eventReminders: Reminder[];
  /** EVENT_TEMPLATES or EVENT_TEMPLATES_FILE, validated; undefined = the built-in templates. */
  eventTemplates: EventTemplates | undefined;
  /**
   * Where events for the booking system are POSTed; undefined = none are sent. Signed with every
   * NOTIFY_SECRETS entry (Standard Webhooks) and, deprecated, with WEBHOOK_SECRET (X-Signature).
   */
  notifyUrl: string | undefined;
  /** NOTIFY_SECRETS: Standard Webhooks secrets (`whsec_…`) that each sign every notification; empty = X-Signature only. */
  notifySecrets: string[];
  /** WEBHOOK_SECRETS: Standard Webhooks secrets accepted on incoming booking webhooks (besides X-Signature with WEBHOOK_SECRET). */
  webhookSecrets: string[];
  /** How long an undelivered event is retried before it counts as failed. */
  notifyRetryForMs: number;
  /** Whether calendars are watched with provider push channels (needs an https PUBLIC_BASE_URL in real use). */
  pushNotifications: boolean;
  /** Lifetime asked for push channels; undefined = the provider's longest. */
  pushChannelTtlMs: number | undefined;
  /** How often each calendar account's busy times are read when no push notification says sooner. */
  busyPollIntervalMs: number;
  /** How far ahead busy times are read (from a day ago), in milliseconds. */
  busyWindowMs: number;
  /** RETENTION in milliseconds; undefined (`off`): nothing is deleted for its age. */
  retentionMs: number | undefined;
  /**
   * E-mail invitations (iTIP): to participants without a connected calendar (`unconnected`), to
   * everyone (`all`) or to no one (`off`); sent through `smtpUrl` (which may hold a password) from `from`.
   */
  invitations: { mode: InvitationMode; smtpUrl: string | undefined; from: string | undefined };
  /** What to do when a user deletes or moves one of our events: leave it (respect) or put it back (restore). */
  externalEditPolicy: 'respect' | 'restore';
  /** Temporal Web UI origins the codec server answers (CORS). */
  temporalUiOrigins: string[];
  /**
   * Origins whose pages may show the settings pages in a frame (CSP frame-ancestors); the session
   * cookie is then partitioned and SameSite=None. Empty: never framed (X-Frame-Options DENY).
   */
  settingsFrameAncestors: string[];
  /** Requests per minute per API key (or per address without one); 0 turns the limit off. */
  apiRateLimitPerMinute: number;
  /** Express `trust proxy`: how client addresses are read behind a load balancer (`true` only outside production). */
  trustProxy: boolean | number | string;
  /** Calendar accounts a user may have that are not disconnected (reconnecting one of them is always allowed). */
  maxConnectionsPerUser: number;
  /** Connect attempts (CalDAV verifications, OAuth connect links) a user may make in an hour; 0 turns the limit off. */
  connectAttemptsPerHour: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** OpenTelemetry tracing (src/telemetry/tracing.ts): on when an OTLP endpoint is set. */
  tracing: { otlpEndpoint: string | undefined; serviceName: string };
  /** A workflow bundle built ahead (`node dist/cli/bundle-workflows.js FILE`); undefined = the worker bundles at start. */
  workflowBundlePath: string | undefined;
  /** Workflows the worker keeps in memory between tasks; 0 replays every task from history. Unset: WORKER_TUNING's 500. */
  maxCachedWorkflows: number | undefined;
  shutdown: {
    /** After SIGTERM, how long readiness answers 503 while requests are still served, so load balancers stop routing here first. */
    delayMs: number;
    /** Then how long in-flight HTTP requests and activities get to finish (the worker's `shutdownGraceTime`). */
    graceMs: number;
  };
}

/** Where the API starts workflows, and with what history limit. */
export type WorkflowTarget = Pick<AppConfig['temporal'], 'taskQueue' | 'maxHistoryEvents'>;

/** Every problem found in the environment, one message each, so an operator fixes them in one go. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** API keys shorter than this are guessable; production refuses them. */
const MIN_SECRET_LENGTH = 24;

/** The legacy plain-payload window is a migration aid: it may reach this far ahead of start-up, no further. */
export const MAX_PLAINTEXT_WINDOW_DAYS = 90;

/** PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: an ISO date (midnight UTC) or date-time, at most 90 days ahead. */
function parsePlaintextWindow(
  value: string | undefined,
  nowMs: number,
): { ok: true; untilMs: number | undefined } | { ok: false; problem: string } {
  if (value === undefined) return { ok: true, untilMs: undefined };
  const untilMs = instantMillis(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (untilMs === undefined) {
    return { ok: false, problem: 'PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL must be an ISO date or date-time with an offset, e.g. 2026-03-01' };
  }
  if (untilMs - nowMs > MAX_PLAINTEXT_WINDOW_DAYS * 86_400_000) {
    return {
      ok: false,
      problem: `PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL may be at most ${MAX_PLAINTEXT_WINDOW_DAYS} days ahead: plain payloads are a migration window, not a setting`,
    };
  }
  return { ok: true, untilMs };
}

/**
 * Reads and validates the environment. Collects every problem instead of stopping at the
 * first, and never echoes a secret's value in a message.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, nowMs: number = Date.now()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        return i.message.startsWith(name) ? i.message : `${name}: ${i.message}`;
      }),
    );
  }
  const validEnv = parsed.data;
  const problems: string[] = [];
  const production = validEnv.NODE_ENV === 'production';

  const apiKeys = (validEnv.API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  if (apiKeys.length === 0) problems.push('API_KEYS is required (comma-separated bearer keys for the booking system)');
  if (production && apiKeys.some((k) => k.length < MIN_SECRET_LENGTH || k.startsWith('dev_'))) {
    problems.push(`API_KEYS: production keys must be at least ${MIN_SECRET_LENGTH} characters and not development keys`);
  }

  const codecApiKeys = (validEnv.CODEC_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  if (production && codecApiKeys.some((k) => k.length < MIN_SECRET_LENGTH || k.startsWith('dev_'))) {
    problems.push(`CODEC_API_KEYS: production keys must be at least ${MIN_SECRET_LENGTH} characters and not development keys`);
  }
  if (codecApiKeys.some((k) => apiKeys.includes(k))) {
    problems.push('CODEC_API_KEYS: a codec key must not also be an API key (it would open the whole API)');
  }

  if (!validEnv.WEBHOOK_SECRET) problems.push('WEBHOOK_SECRET is required (HMAC key for signed webhooks)');
  else if (production && validEnv.WEBHOOK_SECRET.length < MIN_SECRET_LENGTH) {
    problems.push(`WEBHOOK_SECRET: must be at least ${MIN_SECRET_LENGTH} characters in production`);
  }

  const notifySecrets = parseStandardSecrets('NOTIFY_SECRETS', validEnv.NOTIFY_SECRETS);
  if (!notifySecrets.ok) problems.push(notifySecrets.problem);
  const webhookSecrets = parseStandardSecrets('WEBHOOK_SECRETS', validEnv.WEBHOOK_SECRETS);
  if (!webhookSecrets.ok) problems.push(webhookSecrets.problem);

  let encryptionKeys: KeyringEntry[] = [];
  if (!validEnv.ENCRYPTION_KEYS) {
    problems.push('ENCRYPTION_KEYS is required (id:64-hex-chars, newest first; e.g. k1:<openssl rand -hex 32>)');
  } else {
    const keyring = parseKeyring(validEnv.ENCRYPTION_KEYS);
    if (keyring.ok) encryptionKeys = keyring.keys;
    else problems.push(...keyring.problems.map((p) => `ENCRYPTION_KEYS: ${p}`));
    if (production && encryptionKeys.some((k) => k.id.startsWith('dev'))) {
      problems.push('ENCRYPTION_KEYS: development keys (id starting with "dev") are refused in production');
    }
  }

  const plaintextWindow = parsePlaintextWindow(validEnv.PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL, nowMs);
  if (!plaintextWindow.ok) problems.push(plaintextWindow.problem);

  if (production && !validEnv.DATABASE_URL) problems.push('DATABASE_URL is required in production');
  if (production && validEnv.CODEC_OPEN_IN_DEVELOPMENT === 'true') {
    problems.push('CODEC_OPEN_IN_DEVELOPMENT: the codec is never open without a key in production');
  }
  if (production) {
    // Browsers and providers send OAuth codes, settings links and push secrets to this address.
    if (!validEnv.PUBLIC_BASE_URL) problems.push('PUBLIC_BASE_URL is required in production');
    else if (!isSecureBaseUrl(validEnv.PUBLIC_BASE_URL)) {
      problems.push('PUBLIC_BASE_URL must be an https:// URL in production (http only for a loopback address)');
    }
  }
  const trustProxy = parseTrustProxy(validEnv.TRUST_PROXY, production);
  if (!trustProxy.ok) problems.push(trustProxy.problem);
  const frameAncestors = parseFrameAncestors(validEnv.SETTINGS_FRAME_ANCESTORS);
  if (!frameAncestors.ok) problems.push(frameAncestors.problem);
  else if (frameAncestors.origins.length > 0 && validEnv.PUBLIC_BASE_URL && !isSecureBaseUrl(validEnv.PUBLIC_BASE_URL)) {
    // A cookie sent into a frame must be Secure: browsers keep none for a plain-http site.
    problems.push('SETTINGS_FRAME_ANCESTORS needs an https:// PUBLIC_BASE_URL (http only for a loopback address)');
  }
  if (production && validEnv.METRICS_KEY !== undefined && validEnv.METRICS_KEY.length < MIN_SECRET_LENGTH) {
    problems.push(`METRICS_KEY: must be at least ${MIN_SECRET_LENGTH} characters in production`);
  }
  if (validEnv.METRICS_KEY !== undefined && apiKeys.includes(validEnv.METRICS_KEY)) {
    problems.push('METRICS_KEY: must not also be an API key (a scraper would hold the whole API)');
  }
  if (Boolean(validEnv.GOOGLE_CLIENT_ID) !== Boolean(validEnv.GOOGLE_CLIENT_SECRET)) {
    problems.push('GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together');
  }
  if (Boolean(validEnv.MICROSOFT_CLIENT_ID) !== Boolean(validEnv.MICROSOFT_CLIENT_SECRET)) {
    problems.push('MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET must be set together');
  }

  if (validEnv.INVITATIONS !== 'off') {
    if (!validEnv.SMTP_URL) problems.push(`SMTP_URL is required when INVITATIONS is ${validEnv.INVITATIONS}`);
    if (!validEnv.INVITATION_FROM) problems.push(`INVITATION_FROM is required when INVITATIONS is ${validEnv.INVITATIONS}`);
  }

  const reminders = parseReminders(validEnv.EVENT_REMINDERS);
  if (!reminders.ok) problems.push(...reminders.problems.map((p) => `EVENT_REMINDERS: ${p}`));
  const outlookReminder = parseOutlookReminderChoice(validEnv.MICROSOFT_REMINDER, reminders.ok ? reminders.reminders : []);
  if (!outlookReminder.ok && reminders.ok) problems.push(`MICROSOFT_REMINDER: ${outlookReminder.problem}`);

  const templates = readTemplatesSetting(validEnv.EVENT_TEMPLATES, validEnv.EVENT_TEMPLATES_FILE);
  if (!templates.ok) problems.push(...templates.problems);

  const temporal = readTemporalConnection({
    ...env,
    TEMPORAL_ADDRESS: validEnv.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: validEnv.TEMPORAL_NAMESPACE,
  });
  if (!temporal.ok) problems.push(...temporal.problems);

  if (problems.length > 0 || !temporal.ok || !trustProxy.ok) throw new ConfigError(problems);

  return {
    nodeEnv: validEnv.NODE_ENV,
    databaseUrl: validEnv.DATABASE_URL,
    databasePoolMax: validEnv.DATABASE_POOL_MAX,
    temporal: {
      ...temporal.connection,
      taskQueue: validEnv.TEMPORAL_TASK_QUEUE,
      maxHistoryEvents: validEnv.WORKFLOW_MAX_HISTORY_EVENTS,
    },
    port: validEnv.PORT,
    metricsPort: validEnv.METRICS_PORT,
    metricsKey: validEnv.METRICS_KEY,
    publicBaseUrl: (validEnv.PUBLIC_BASE_URL ?? `http://localhost:${validEnv.PORT}`).replace(/\/+$/, ''),
    apiKeys,
    codecApiKeys,
    codecOpenInDevelopment: validEnv.NODE_ENV === 'development' && validEnv.CODEC_OPEN_IN_DEVELOPMENT === 'true',
    webhookSecret: validEnv.WEBHOOK_SECRET ?? '',
    encryptionKeys,
    payloadPlaintextAcceptedUntilMs: plaintextWindow.ok ? plaintextWindow.untilMs : undefined,
    google: {
      clientId: validEnv.GOOGLE_CLIENT_ID,
      clientSecret: validEnv.GOOGLE_CLIENT_SECRET,
      authUrl: validEnv.GOOGLE_AUTH_URL,
      tokenUrl: validEnv.GOOGLE_TOKEN_URL,
      revokeUrl: validEnv.GOOGLE_REVOKE_URL,
      apiUrl: validEnv.GOOGLE_API_URL,
      quotaPerUserPerMinute: validEnv.GOOGLE_QUOTA_PER_USER_PER_MINUTE,
    },
    microsoft: {
      clientId: validEnv.MICROSOFT_CLIENT_ID,
      clientSecret: validEnv.MICROSOFT_CLIENT_SECRET,
      tenant: validEnv.MICROSOFT_TENANT,
      loginUrl: validEnv.MICROSOFT_LOGIN_URL.replace(/\/+$/, ''),
      graphUrl: validEnv.MICROSOFT_GRAPH_URL.replace(/\/+$/, ''),
      reminder: outlookReminder.ok ? outlookReminder.choice : { kind: 'default' },
    },
    icloudCaldavUrl: validEnv.ICLOUD_CALDAV_URL,
    // `npm start` talks to CalDAV servers on this machine; tests and production name what they allow.
    caldav: { allowPrivateNetworks: validEnv.CALDAV_ALLOW_PRIVATE_NETWORKS ?? validEnv.NODE_ENV === 'development' },
    eventReminders: reminders.ok ? reminders.reminders : [],
    eventTemplates: templates.ok ? templates.templates : undefined,
    apiRateLimitPerMinute: validEnv.API_RATE_LIMIT_PER_MINUTE,
    trustProxy: trustProxy.value,
    maxConnectionsPerUser: validEnv.MAX_CONNECTIONS_PER_USER,
    connectAttemptsPerHour: validEnv.CONNECT_ATTEMPTS_PER_HOUR,
    busyPollIntervalMs: validEnv.BUSY_POLL_INTERVAL,
    busyWindowMs: validEnv.BUSY_WINDOW,
    retentionMs: validEnv.RETENTION,
    externalEditPolicy: validEnv.EXTERNAL_EDIT_POLICY,
    invitations: { mode: validEnv.INVITATIONS, smtpUrl: validEnv.SMTP_URL, from: validEnv.INVITATION_FROM },
    notifyUrl: validEnv.NOTIFY_URL,
    notifyRetryForMs: validEnv.NOTIFY_RETRY_FOR,
    notifySecrets: notifySecrets.ok ? notifySecrets.secrets : [],
    webhookSecrets: webhookSecrets.ok ? webhookSecrets.secrets : [],
    // Providers only call https addresses; `on` is for the sandbox, which accepts http.
    pushNotifications:
      validEnv.PUSH_NOTIFICATIONS === 'on' ||
      (validEnv.PUSH_NOTIFICATIONS === 'auto' && (validEnv.PUBLIC_BASE_URL ?? '').startsWith('https://')),
    pushChannelTtlMs: validEnv.PUSH_CHANNEL_TTL,
    temporalUiOrigins: (validEnv.TEMPORAL_UI_ORIGINS ?? (production ? '' : 'http://localhost:8233,http://127.0.0.1:8233'))
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter((o) => o.length > 0),
    settingsFrameAncestors: frameAncestors.ok ? frameAncestors.origins : [],
    logLevel: validEnv.LOG_LEVEL,
    tracing: { otlpEndpoint: validEnv.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: validEnv.OTEL_SERVICE_NAME ?? 'booking-calendar-sync' },
    workflowBundlePath: validEnv.WORKFLOW_BUNDLE_PATH,
    maxCachedWorkflows: validEnv.WORKER_MAX_CACHED_WORKFLOWS,
    shutdown: {
      // Production sits behind load balancers; development and tests stop at once.
      delayMs: validEnv.SHUTDOWN_DELAY ?? (production ? 5_000 : 0),
      graceMs: validEnv.SHUTDOWN_GRACE_TIME,
    },
  };
}
