import { z } from 'zod';
import { parseMailbox } from './domain/invitations';
import { isCidr, type PrivateNetworkAllowance } from './net/address-policy';

/** The environment variables the service reads, each with its own message; `loadConfig` (config.ts) turns them into `AppConfig`. */

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
export function isSecureBaseUrl(v: string): boolean {
  const u = new URL(v);
  return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
}

export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isSmtpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** `addr@example.com` or `Name <addr@example.com>`, the address a valid one. */
function isMailbox(v: string): boolean {
  const mailbox = parseMailbox(v);
  return mailbox !== undefined && z.email().safeParse(mailbox.address).success;
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DAY_MS = UNIT_MS.d;

/** A duration variable (`90s`, `15m`, `1h`, `500ms`, `90d`), read as milliseconds. */
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

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'DATABASE_URL must be a postgres:// URL',
  }),
  DATABASE_POOL_MAX: z.coerce
    .number({ message: 'DATABASE_POOL_MAX must be a number' })
    .int('DATABASE_POOL_MAX must be a whole number')
    .min(1, 'DATABASE_POOL_MAX must be at least 1')
    .max(1000, 'DATABASE_POOL_MAX must be at most 1000')
    .default(10),
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
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.refine((v) => v === undefined || isHttpUrl(v), {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (the OTLP/HTTP collector)',
  }),
  OTEL_SERVICE_NAME: optionalText,
  PUBLIC_BASE_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), {
    message: 'PUBLIC_BASE_URL must be an http(s) URL',
  }),
  API_KEYS: optionalText,
  CODEC_API_KEYS: optionalText,
  CODEC_OPEN_IN_DEVELOPMENT: z.enum(['true', 'false'], { message: 'CODEC_OPEN_IN_DEVELOPMENT must be true or false' }).optional(),
  WEBHOOK_SECRET: optionalText,
  // Standard Webhooks secrets (whsec_…, comma or space separated), checked in config.ts.
  WEBHOOK_SECRETS: optionalText,
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
  EVENT_TEMPLATES: optionalText,
  EVENT_TEMPLATES_FILE: optionalText,
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
  // Origins only, checked in config.ts (parseFrameAncestors) so every bad entry is named.
  SETTINGS_FRAME_ANCESTORS: optionalText,
  NOTIFY_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), { message: 'NOTIFY_URL must be an http(s) URL' }),
  NOTIFY_SECRETS: optionalText,
  NOTIFY_RETRY_FOR: duration('NOTIFY_RETRY_FOR', '72h').prefault('72h'),
  PUSH_NOTIFICATIONS: z.enum(['auto', 'on', 'off']).default('auto'),
  PUSH_CHANNEL_TTL: optionalText.pipe(duration('PUSH_CHANNEL_TTL', '6h or 3600s').optional()),
  BUSY_POLL_INTERVAL: duration('BUSY_POLL_INTERVAL', '15m, 90s or 1h').prefault('15m'),
  // Every poll reads this far ahead in every counted calendar: a year at most (recurring series expand into it).
  BUSY_WINDOW: duration('BUSY_WINDOW', '90d or 36h')
    .prefault('90d')
    .refine((ms) => ms >= DAY_MS && ms <= 366 * DAY_MS, 'BUSY_WINDOW must be between 1d and 366d'),
  // Audit rows, notifications, webhook receipts and finished bookings are deleted once this old; `off` keeps them.
  RETENTION: z
    .string()
    .trim()
    .default('180d')
    .transform((v, ctx) => {
      if (v === 'off') return undefined;
      const m = DURATION.exec(v);
      const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 0;
      if (ms < DAY_MS) {
        ctx.addIssue({ code: 'custom', message: 'RETENTION must be a duration of 1d or more (such as 180d), or off' });
        return z.NEVER;
      }
      return ms;
    }),
  EXTERNAL_EDIT_POLICY: z.enum(['respect', 'restore']).default('respect'),
  INVITATIONS: z.enum(['off', 'unconnected', 'all'], { message: 'INVITATIONS must be off, unconnected or all' }).default('off'),
  // The URL may carry a password: its messages never echo the value.
  SMTP_URL: optionalText.refine((v) => v === undefined || isSmtpUrl(v), {
    message: 'SMTP_URL must be an smtp:// or smtps:// URL (smtp://user:password@host:587)',
  }),
  INVITATION_FROM: optionalText.refine((v) => v === undefined || isMailbox(v), {
    message: 'INVITATION_FROM must be an e-mail address, optionally with a name: Bookings <bookings@example.com>',
  }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKFLOW_BUNDLE_PATH: optionalText,
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ message: 'WORKER_MAX_CACHED_WORKFLOWS must be a number' })
    .int('WORKER_MAX_CACHED_WORKFLOWS must be a whole number')
    .min(0, 'WORKER_MAX_CACHED_WORKFLOWS must be 0 (no cache) or 2 or more')
    .refine((n) => n !== 1, { message: 'WORKER_MAX_CACHED_WORKFLOWS must be 0 (no cache) or 2 or more' })
    .optional(),
  SHUTDOWN_DELAY: optionalText.pipe(duration('SHUTDOWN_DELAY', '5s').optional()),
  SHUTDOWN_GRACE_TIME: duration('SHUTDOWN_GRACE_TIME', '30s').prefault('30s'),
});
