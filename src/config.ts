import { isIP } from 'node:net';
import { z } from 'zod';
import { parseReminders, type Reminder } from './events/reminders';
import { parseKeyring, type KeyringEntry } from './crypto/keyring';
import { instantMillis } from './domain/booking-input-schemas';
import { isCidr, type PrivateNetworkAllowance } from './net/address-policy';
import { parseOutlookReminderChoice, type OutlookReminderChoice } from './providers/microsoft/reminder-choice';
import { readTemporalConnection, type TemporalConnection } from './temporal/connection-settings';

/** The service's configuration, read once from the environment at start-up. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  /** Unset in development: `npm start` then runs an embedded PostgreSQL. */
  databaseUrl: string | undefined;
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
  /** Where events for the booking system are POSTed (signed with WEBHOOK_SECRET); undefined = none are sent. */
  notifyUrl: string | undefined;
  /** How long an undelivered event is retried before it counts as failed. */
  notifyRetryForMs: number;
  /** Whether calendars are watched with provider push channels (needs an https PUBLIC_BASE_URL in real use). */
  pushNotifications: boolean;
  /** Lifetime asked for push channels; undefined = the provider's longest. */
  pushChannelTtlMs: number | undefined;
  /** How often each calendar account's busy times are read when no push notification says sooner. */
  busyPollIntervalMs: number;
  /** What to do when a user deletes or moves one of our events: leave it (respect) or put it back (restore). */
  externalEditPolicy: 'respect' | 'restore';
  /** Temporal Web UI origins the codec server answers (CORS). */
  temporalUiOrigins: string[];
  /** Requests per minute per API key (or per address without one); 0 turns the limit off. */
  apiRateLimitPerMinute: number;
  /** Express `trust proxy`: how client addresses are read behind a load balancer (`true` only outside production). */
  trustProxy: boolean | number | string;
  /** Calendar accounts a user may have that are not disconnected (reconnecting one of them is always allowed). */
  maxConnectionsPerUser: number;
  /** Connect attempts (CalDAV verifications, OAuth connect links) a user may make in an hour; 0 turns the limit off. */
  connectAttemptsPerHour: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A workflow bundle built ahead (`node dist/cli/bundle-workflows.js FILE`); undefined = the worker bundles at start. */
  workflowBundlePath: string | undefined;
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

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const httpUrl = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => isHttpUrl(v), { message: `${name} must be an http(s) URL` });

/**
 * https, or http to this machine's loopback (browsers count it as a secure context; nothing
 * crosses a network): a production build may be smoke-tested locally, never served in clear.
 */
function isSecureBaseUrl(v: string): boolean {
  const u = new URL(v);
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A duration variable (`90s`, `15m`, `1h`, `500ms`), read as milliseconds. */
function duration(name: string, example: string) {
  return z
    .string()
    .trim()
    .regex(DURATION, `${name} must be a duration such as ${example}`)
    .transform((v) => {
      const m = DURATION.exec(v)!;
      return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    });
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'DATABASE_URL must be a postgres:// URL',
  }),
  // Unset: the Temporal profile's, else 127.0.0.1:7233 and "default" (src/temporal/connection-settings.ts).
  TEMPORAL_ADDRESS: z
    .string()
    .trim()
    .regex(/^[^\s:]+:\d{1,5}$/, 'TEMPORAL_ADDRESS must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).optional(),
  // envconfig reads anything but 1/true as "off": a typo must not turn TLS off silently.
  TEMPORAL_TLS: z.enum(['true', 'false', '1', '0'], { message: 'TEMPORAL_TLS must be true or false' }).optional(),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('calendar-sync'),
  WORKFLOW_MAX_HISTORY_EVENTS: optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1), {
      message: 'WORKFLOW_MAX_HISTORY_EVENTS must be a positive whole number',
    })
    .transform((v) => (v === undefined ? undefined : Number(v))),
  PORT: z.coerce
    .number({ message: 'PORT must be a number' })
    .int()
    .min(0, 'PORT must be 0-65535')
    .max(65535, 'PORT must be 0-65535')
    .default(3000),
  METRICS_PORT: optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) <= 65535), { message: 'METRICS_PORT must be a port number (0-65535)' })
    .transform((v) => (v === undefined ? undefined : Number(v))),
  METRICS_KEY: optionalText,
  PUBLIC_BASE_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), {
    message: 'PUBLIC_BASE_URL must be an http(s) URL',
  }),
  API_KEYS: optionalText,
  CODEC_API_KEYS: optionalText,
  CODEC_OPEN_IN_DEVELOPMENT: z.enum(['true', 'false'], { message: 'CODEC_OPEN_IN_DEVELOPMENT must be true or false' }).optional(),
  WEBHOOK_SECRET: optionalText,
  ENCRYPTION_KEYS: optionalText,
  PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  GOOGLE_AUTH_URL: httpUrl('GOOGLE_AUTH_URL').default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: httpUrl('GOOGLE_TOKEN_URL').default('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: httpUrl('GOOGLE_REVOKE_URL').default('https://oauth2.googleapis.com/revoke'),
  GOOGLE_API_URL: httpUrl('GOOGLE_API_URL').default('https://www.googleapis.com/'),
  GOOGLE_QUOTA_PER_USER_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1, 'GOOGLE_QUOTA_PER_USER_PER_MINUTE must be a positive whole number')
    .default(600),
  MICROSOFT_CLIENT_ID: optionalText,
  MICROSOFT_CLIENT_SECRET: optionalText,
  MICROSOFT_TENANT: z.string().trim().min(1).default('common'),
  MICROSOFT_LOGIN_URL: httpUrl('MICROSOFT_LOGIN_URL').default('https://login.microsoftonline.com'),
  MICROSOFT_GRAPH_URL: httpUrl('MICROSOFT_GRAPH_URL').default('https://graph.microsoft.com/v1.0'),
  ICLOUD_CALDAV_URL: httpUrl('ICLOUD_CALDAV_URL').default('https://caldav.icloud.com'),
  CALDAV_ALLOW_PRIVATE_NETWORKS: optionalText
    .refine((v) => v === undefined || v === 'true' || v === 'false' || v.split(',').every((r) => isCidr(r)), {
      message: 'CALDAV_ALLOW_PRIVATE_NETWORKS must be true, false or a comma-separated list of addresses or ranges (10.1.2.0/24, fd00::/8)',
    })
    .transform((v): PrivateNetworkAllowance | undefined =>
      v === undefined ? undefined : v === 'true' ? true : v === 'false' ? false : v.split(',').map((r) => r.trim()),
    ),
  EVENT_REMINDERS: z.string().trim().default('email:1440,popup:60,popup:15'),
  MICROSOFT_REMINDER: optionalText,
  API_RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: 'API_RATE_LIMIT_PER_MINUTE must be a number' })
    .int('API_RATE_LIMIT_PER_MINUTE must be a whole number')
    .min(0, 'API_RATE_LIMIT_PER_MINUTE must be 0 (off) or more')
    .default(1200),
  TRUST_PROXY: optionalText,
  MAX_CONNECTIONS_PER_USER: z.coerce
    .number({ message: 'MAX_CONNECTIONS_PER_USER must be a number' })
    .int('MAX_CONNECTIONS_PER_USER must be a whole number')
    .min(1, 'MAX_CONNECTIONS_PER_USER must be 1 or more')
    .default(10),
  CONNECT_ATTEMPTS_PER_HOUR: z.coerce
    .number({ message: 'CONNECT_ATTEMPTS_PER_HOUR must be a number' })
    .int('CONNECT_ATTEMPTS_PER_HOUR must be a whole number')
    .min(0, 'CONNECT_ATTEMPTS_PER_HOUR must be 0 (off) or more')
    .default(20),
  TEMPORAL_UI_ORIGINS: optionalText,
  NOTIFY_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), { message: 'NOTIFY_URL must be an http(s) URL' }),
  NOTIFY_RETRY_FOR: duration('NOTIFY_RETRY_FOR', '72h').prefault('72h'),
  PUSH_NOTIFICATIONS: z.enum(['auto', 'on', 'off']).default('auto'),
  PUSH_CHANNEL_TTL: optionalText.pipe(duration('PUSH_CHANNEL_TTL', '6h or 3600s').optional()),
  BUSY_POLL_INTERVAL: duration('BUSY_POLL_INTERVAL', '15m, 90s or 1h').prefault('15m'),
  EXTERNAL_EDIT_POLICY: z.enum(['respect', 'restore']).default('respect'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKFLOW_BUNDLE_PATH: optionalText,
  SHUTDOWN_DELAY: optionalText.pipe(duration('SHUTDOWN_DELAY', '5s').optional()),
  SHUTDOWN_GRACE_TIME: duration('SHUTDOWN_GRACE_TIME', '30s').prefault('30s'),
});

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

  const reminders = parseReminders(validEnv.EVENT_REMINDERS);
  if (!reminders.ok) problems.push(...reminders.problems.map((p) => `EVENT_REMINDERS: ${p}`));
  const outlookReminder = parseOutlookReminderChoice(validEnv.MICROSOFT_REMINDER, reminders.ok ? reminders.reminders : []);
  if (!outlookReminder.ok && reminders.ok) problems.push(`MICROSOFT_REMINDER: ${outlookReminder.problem}`);

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
    apiRateLimitPerMinute: validEnv.API_RATE_LIMIT_PER_MINUTE,
    trustProxy: trustProxy.value,
    maxConnectionsPerUser: validEnv.MAX_CONNECTIONS_PER_USER,
    connectAttemptsPerHour: validEnv.CONNECT_ATTEMPTS_PER_HOUR,
    busyPollIntervalMs: validEnv.BUSY_POLL_INTERVAL,
    externalEditPolicy: validEnv.EXTERNAL_EDIT_POLICY,
    notifyUrl: validEnv.NOTIFY_URL,
    notifyRetryForMs: validEnv.NOTIFY_RETRY_FOR,
    // Providers only call https addresses; `on` is for the sandbox, which accepts http.
    pushNotifications:
      validEnv.PUSH_NOTIFICATIONS === 'on' ||
      (validEnv.PUSH_NOTIFICATIONS === 'auto' && (validEnv.PUBLIC_BASE_URL ?? '').startsWith('https://')),
    pushChannelTtlMs: validEnv.PUSH_CHANNEL_TTL,
    temporalUiOrigins: (validEnv.TEMPORAL_UI_ORIGINS ?? (production ? '' : 'http://localhost:8233,http://127.0.0.1:8233'))
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter((o) => o.length > 0),
    logLevel: validEnv.LOG_LEVEL,
    workflowBundlePath: validEnv.WORKFLOW_BUNDLE_PATH,
    shutdown: {
      // Production sits behind load balancers; development and tests stop at once.
      delayMs: validEnv.SHUTDOWN_DELAY ?? (production ? 5_000 : 0),
      graceMs: validEnv.SHUTDOWN_GRACE_TIME,
    },
  };
}

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or subnet as Express's `trust proxy` reads it: `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`, `10.0.0.0/255.0.0.0`. */
function isProxyAddress(item: string): boolean {
  if (TRUST_PROXY_NAMES.has(item)) return true;
  const [address = '', range, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

/**
 * `TRUST_PROXY`: unset/false, a hop count (the proxies in front of this service), or the
 * proxies' addresses and subnets (and Express's names `loopback`, `linklocal`, `uniquelocal`).
 * `true` trusts every hop, so a client's own `X-Forwarded-For` picks its rate-limit key:
 * refused in production.
 */
function parseTrustProxy(
  value: string | undefined,
  production: boolean,
): { ok: true; value: boolean | number | string } | { ok: false; problem: string } {
  if (value === undefined || value === 'false') return { ok: true, value: false };
  if (value === 'true') {
    return production
      ? {
          ok: false,
          problem:
            'TRUST_PROXY=true is refused in production: it lets any client choose its address (X-Forwarded-For) and so its rate-limit key; set the number of proxies in front of the service (e.g. 1) or their addresses (e.g. 10.0.0.0/8)',
        }
      : { ok: true, value: true };
  }
  if (/^\d+$/.test(value)) return { ok: true, value: Number(value) };
  const items = value.split(',').map((v) => v.trim());
  const bad = items.filter((v) => !isProxyAddress(v));
  if (bad.length > 0 || items.length === 0) {
    return {
      ok: false,
      problem: `TRUST_PROXY must be a hop count (e.g. 1) or proxy addresses/subnets (e.g. 10.0.0.0/8, loopback); not understood: ${bad.join(', ')}`,
    };
  }
  return { ok: true, value: items.join(', ') };
}
