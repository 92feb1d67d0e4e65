import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEVELOPMENT_ENV, KEY, PRODUCTION_ENV, problems } from './support/config-env';

const base = DEVELOPMENT_ENV;

describe('loadConfig', () => {
  it('fills documented defaults', () => {
    const c = loadConfig(base);
    expect(c.temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'calendar-sync',
      apiKey: undefined,
      tls: false,
      metadata: {},
    });
    expect(c.port).toBe(3000);
    expect(c.eventReminders).toEqual([
      { method: 'email', minutes: 1440 },
      { method: 'popup', minutes: 60 },
      { method: 'popup', minutes: 15 },
    ]);
    expect(c.microsoft.tenant).toBe('common');
    expect(c.microsoft.reminder).toEqual({ kind: 'default' });
  });

  it('takes MICROSOFT_REMINDER only as "none" or one of EVENT_REMINDERS', () => {
    expect(loadConfig({ ...base, MICROSOFT_REMINDER: 'popup:60' }).microsoft.reminder).toEqual({
      kind: 'entry',
      reminder: { method: 'popup', minutes: 60 },
    });
    expect(loadConfig({ ...base, MICROSOFT_REMINDER: 'none' }).microsoft.reminder).toEqual({ kind: 'none' });
    expect(problems({ ...base, MICROSOFT_REMINDER: 'popup:30' })).toEqual([
      'MICROSOFT_REMINDER: "popup:30" must be "none" or one of EVENT_REMINDERS (email:1440, popup:60, popup:15)',
    ]);
  });

  it('reads NOTIFY_SECRETS and WEBHOOK_SECRETS as Standard Webhooks secrets, comma or space separated, and names a bad entry', () => {
    const a = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const b = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
    expect(loadConfig(base).notifySecrets).toEqual([]);
    expect(loadConfig({ ...base, NOTIFY_SECRETS: `${a}, ${b}` }).notifySecrets).toEqual([a, b]);
    expect(loadConfig({ ...base, WEBHOOK_SECRETS: `${b} ${a}` }).webhookSecrets).toEqual([b, a]);
    const short = `whsec_${Buffer.alloc(8, 3).toString('base64')}`;
    expect(problems({ ...base, NOTIFY_SECRETS: `${a},plain-text-secret`, WEBHOOK_SECRETS: short })).toEqual([
      expect.stringMatching(/^NOTIFY_SECRETS: entry 2 must be whsec_/),
      expect.stringMatching(/^WEBHOOK_SECRETS: entry 1 must be whsec_/),
    ]);
    // The secret itself is never repeated in the message.
    expect(problems({ ...base, NOTIFY_SECRETS: 'plain-text-secret' }).join(' ')).not.toContain('plain-text-secret');
  });

  it('turns tracing on with OTEL_EXPORTER_OTLP_ENDPOINT, named by OTEL_SERVICE_NAME', () => {
    expect(loadConfig(base).tracing).toEqual({ otlpEndpoint: undefined, serviceName: 'booking-calendar-sync' });
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'calsync-eu' }).tracing).toEqual({
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'calsync-eu',
    });
    expect(problems({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (the OTLP/HTTP collector)',
    ]);
  });

  it('reads the shutdown delay and grace time: 5 s delay in production only, 30 s grace', () => {
    expect(loadConfig(base).shutdown).toEqual({ delayMs: 0, graceMs: 30_000 });
    expect(loadConfig({ ...base, SHUTDOWN_DELAY: '2s', SHUTDOWN_GRACE_TIME: '90s' }).shutdown).toEqual({ delayMs: 2_000, graceMs: 90_000 });
    expect(problems({ ...base, SHUTDOWN_GRACE_TIME: 'soon', SHUTDOWN_DELAY: '5' })).toEqual([
      'SHUTDOWN_DELAY must be a duration such as 5s',
      'SHUTDOWN_GRACE_TIME must be a duration such as 30s',
    ]);
  });

  it('reads BUSY_WINDOW: 90 days by default, in days or hours, between 1d and 366d', () => {
    const DAY = 86_400_000;
    expect(loadConfig(base).busyWindowMs).toBe(90 * DAY);
    expect(loadConfig({ ...base, BUSY_WINDOW: '30d' }).busyWindowMs).toBe(30 * DAY);
    expect(loadConfig({ ...base, BUSY_WINDOW: '36h' }).busyWindowMs).toBe(36 * 3_600_000);
    expect(problems({ ...base, BUSY_WINDOW: '12h' })).toEqual(['BUSY_WINDOW must be between 1d and 366d']);
    expect(problems({ ...base, BUSY_WINDOW: '400d' })).toEqual(['BUSY_WINDOW must be between 1d and 366d']);
    expect(problems({ ...base, BUSY_WINDOW: 'ninety' })).toEqual(['BUSY_WINDOW must be a duration such as 90d or 36h']);
  });

  it('reads RETENTION: 180 days by default, a duration of a day or more, or off', () => {
    const DAY = 86_400_000;
    expect(loadConfig(base).retentionMs).toBe(180 * DAY);
    expect(loadConfig({ ...base, RETENTION: '30d' }).retentionMs).toBe(30 * DAY);
    expect(loadConfig({ ...base, RETENTION: 'off' }).retentionMs).toBeUndefined();
    expect(problems({ ...base, RETENTION: '12h' })).toEqual(['RETENTION must be a duration of 1d or more (such as 180d), or off']);
    expect(problems({ ...base, RETENTION: 'forever' })).toEqual(['RETENTION must be a duration of 1d or more (such as 180d), or off']);
  });

  it('reads the worker cache size: the worker tuning default (500) when unset, 0 or 2 and more', () => {
    expect(loadConfig(base).maxCachedWorkflows).toBeUndefined();
    expect(loadConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: '0' }).maxCachedWorkflows).toBe(0);
    expect(loadConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: '500' }).maxCachedWorkflows).toBe(500);
    for (const value of ['1', '-3', '2.5', 'many']) {
      expect(problems({ ...base, WORKER_MAX_CACHED_WORKFLOWS: value })).toEqual([
        expect.stringMatching(/^WORKER_MAX_CACHED_WORKFLOWS must be/),
      ]);
    }
  });

  it('reads the database pool size: 10 unless set, a whole number from 1 to 1000', () => {
    expect(loadConfig(base).databasePoolMax).toBe(10);
    expect(loadConfig({ ...base, DATABASE_POOL_MAX: '25' }).databasePoolMax).toBe(25);
    for (const value of ['0', '1001', '2.5', 'many']) {
      expect(problems({ ...base, DATABASE_POOL_MAX: value })).toEqual([expect.stringMatching(/^DATABASE_POOL_MAX must be/)]);
    }
  });

  it('reports every problem, one message each, without echoing secrets', () => {
    const p = problems({ PORT: 'abc', ENCRYPTION_KEYS: 'k1:deadbeef', EVENT_REMINDERS: 'sms:5', GOOGLE_API_URL: 'ftp://x' });
    expect(p.some((m) => m.startsWith('PORT'))).toBe(true);
    expect(p.some((m) => m.startsWith('GOOGLE_API_URL'))).toBe(true);
    const q = problems({ ENCRYPTION_KEYS: 'k1:deadbeef', EVENT_REMINDERS: 'sms:5' });
    expect(q).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^API_KEYS/),
        expect.stringMatching(/^WEBHOOK_SECRET/),
        expect.stringMatching(/^ENCRYPTION_KEYS: key "k1" must be 64 hex/),
        expect.stringMatching(/^EVENT_REMINDERS/),
      ]),
    );
    expect(q.join('\n')).not.toContain('deadbeef');
  });

  it('production refuses development secrets and missing infrastructure', () => {
    const p = problems({ ...base, NODE_ENV: 'production' });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^API_KEYS: production keys/),
        expect.stringMatching(/^WEBHOOK_SECRET/),
        expect.stringMatching(/^ENCRYPTION_KEYS: development keys/),
        expect.stringMatching(/^DATABASE_URL is required/),
        expect.stringMatching(/^PUBLIC_BASE_URL is required/),
      ]),
    );
    const ok = loadConfig({
      NODE_ENV: 'production',
      API_KEYS: 'k'.repeat(40),
      WEBHOOK_SECRET: 's'.repeat(40),
      ENCRYPTION_KEYS: `prod1:${KEY}`,
      DATABASE_URL: 'postgres://db/x',
      PUBLIC_BASE_URL: 'https://sync.example.com/',
    });
    expect(ok.publicBaseUrl).toBe('https://sync.example.com');
  });

  it('takes CODEC_API_KEYS as keys of their own: strong in production, never also an API key', () => {
    expect(loadConfig(base).codecApiKeys).toEqual([]);
    expect(loadConfig({ ...base, CODEC_API_KEYS: ' c1 , c2 ' }).codecApiKeys).toEqual(['c1', 'c2']);
    expect(problems({ ...base, CODEC_API_KEYS: 'dev_key_1' })).toEqual([
      'CODEC_API_KEYS: a codec key must not also be an API key (it would open the whole API)',
    ]);
    const production = PRODUCTION_ENV;
    expect(problems({ ...production, CODEC_API_KEYS: 'short' })).toEqual([
      'CODEC_API_KEYS: production keys must be at least 24 characters and not development keys',
    ]);
  });

  it('production requires an https PUBLIC_BASE_URL (http to loopback only); development and tests take http', () => {
    const { PUBLIC_BASE_URL: _unset, ...production } = PRODUCTION_ENV;
    for (const url of ['http://sync.example.com', 'http://10.0.0.5:3000', 'http://localhost.example.com', 'http://127.0.0.1.nip.io']) {
      expect(problems({ ...production, PUBLIC_BASE_URL: url })).toEqual([
        'PUBLIC_BASE_URL must be an https:// URL in production (http only for a loopback address)',
      ]);
    }
    // A production build smoke-tested on this machine (nothing crosses a network).
    expect(loadConfig({ ...production, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).publicBaseUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ ...production, PUBLIC_BASE_URL: 'HTTPS://sync.example.com' }).publicBaseUrl).toBe('HTTPS://sync.example.com');
    expect(loadConfig({ ...base, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).publicBaseUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ ...base, NODE_ENV: 'test', PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it('reads SETTINGS_FRAME_ANCESTORS as exact origins (https, http for the loopback only); unset: never framed', () => {
    expect(loadConfig(base).settingsFrameAncestors).toEqual([]);
    expect(loadConfig({ ...base, SETTINGS_FRAME_ANCESTORS: '  ' }).settingsFrameAncestors).toEqual([]);
    expect(
      loadConfig({
        ...base,
        SETTINGS_FRAME_ANCESTORS:
          'https://App.Example.com/, https://app.example.com:8443  http://localhost:5173,http://127.0.0.1:8080 https://app.example.com',
      }).settingsFrameAncestors,
    ).toEqual(['https://app.example.com', 'https://app.example.com:8443', 'http://localhost:5173', 'http://127.0.0.1:8080']);
    expect(loadConfig({ ...PRODUCTION_ENV, SETTINGS_FRAME_ANCESTORS: 'https://app.example.com' }).settingsFrameAncestors).toEqual([
      'https://app.example.com',
    ]);
    const wildcard =
      'SETTINGS_FRAME_ANCESTORS: wildcards are refused (`*` or `https://*.example.com`): name every origin that may frame the settings page';
    for (const value of ['*', 'https://*.example.com', 'https://app.example.com *']) {
      expect(problems({ ...base, SETTINGS_FRAME_ANCESTORS: value }), value).toEqual([wildcard]);
    }
    for (const value of [
      'http://app.example.com',
      'https://app.example.com/settings',
      'https://app.example.com/?x=1',
      'https://app.example.com#top',
      'https://user:pw@app.example.com',
      'app.example.com',
      "'self'",
      "'none'",
      'https:',
      'data:',
      'ftp://app.example.com',
      'http://localhost.example.com',
    ]) {
      expect(problems({ ...base, SETTINGS_FRAME_ANCESTORS: value }), value).toEqual([
        `SETTINGS_FRAME_ANCESTORS must list origins such as https://app.example.com (https, or http for localhost/127.0.0.1; no path); not understood: ${value}`,
      ]);
    }
    // A framed page's cookie must be Secure, which a plain-http site cannot keep.
    expect(problems({ ...base, PUBLIC_BASE_URL: 'http://sync.lan:3000', SETTINGS_FRAME_ANCESTORS: 'https://app.example.com' })).toEqual([
      'SETTINGS_FRAME_ANCESTORS needs an https:// PUBLIC_BASE_URL (http only for a loopback address)',
    ]);
  });

  it('opens the codec without a key only with CODEC_OPEN_IN_DEVELOPMENT=true in development', () => {
    expect(loadConfig(base).codecOpenInDevelopment).toBe(false);
    expect(loadConfig({ ...base, CODEC_OPEN_IN_DEVELOPMENT: 'true' }).codecOpenInDevelopment).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'test', CODEC_OPEN_IN_DEVELOPMENT: 'true' }).codecOpenInDevelopment).toBe(false);
    expect(problems({ ...base, CODEC_OPEN_IN_DEVELOPMENT: 'yes' })).toEqual(['CODEC_OPEN_IN_DEVELOPMENT must be true or false']);
    const production = PRODUCTION_ENV;
    expect(problems({ ...production, CODEC_OPEN_IN_DEVELOPMENT: 'true' })).toEqual([
      'CODEC_OPEN_IN_DEVELOPMENT: the codec is never open without a key in production',
    ]);
  });

  it('reads WORKFLOW_BUNDLE_PATH, unset when empty', () => {
    expect(loadConfig(base).workflowBundlePath).toBeUndefined();
    expect(loadConfig({ ...base, WORKFLOW_BUNDLE_PATH: ' ' }).workflowBundlePath).toBeUndefined();
    expect(loadConfig({ ...base, WORKFLOW_BUNDLE_PATH: '/app/dist/workflow-bundle.js' }).workflowBundlePath).toBe(
      '/app/dist/workflow-bundle.js',
    );
  });

  it('takes PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL as a date or date-time at most 90 days ahead; unset refuses plain payloads always', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(loadConfig(base, now).payloadPlaintextAcceptedUntilMs).toBeUndefined();
    expect(loadConfig({ ...base, PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: '2026-04-01' }, now).payloadPlaintextAcceptedUntilMs).toBe(
      Date.parse('2026-04-01T00:00:00Z'),
    );
    expect(
      loadConfig({ ...base, PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: '2026-05-30T12:00:00+00:00' }, now).payloadPlaintextAcceptedUntilMs,
    ).toBe(Date.parse('2026-05-30T12:00:00Z'));
    // A window that has passed changes nothing, and does not stop a restart.
    expect(loadConfig({ ...base, PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: '2026-01-01' }, now).payloadPlaintextAcceptedUntilMs).toBe(
      Date.parse('2026-01-01T00:00:00Z'),
    );
    expect(problems({ ...base, PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: '2099-01-01' })).toEqual([
      'PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL may be at most 90 days ahead: plain payloads are a migration window, not a setting',
    ]);
    expect(problems({ ...base, PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: 'forever' })).toEqual([
      'PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL must be an ISO date or date-time with an offset, e.g. 2026-03-01',
    ]);
    expect(problems({ ...base, PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL: '2026-02-30' })).toEqual([
      'PAYLOAD_PLAINTEXT_ACCEPTED_UNTIL must be an ISO date or date-time with an offset, e.g. 2026-03-01',
    ]);
  });

  it('allows CalDAV servers on private networks under npm start only, unless CALDAV_ALLOW_PRIVATE_NETWORKS says otherwise', () => {
    const production = PRODUCTION_ENV;
    const allowance = (env: Record<string, string>) => loadConfig(env).caldav.allowPrivateNetworks;
    expect(allowance(base)).toBe(true);
    expect(allowance(production)).toBe(false);
    expect(allowance({ ...base, NODE_ENV: 'test' })).toBe(false);
    expect(allowance({ ...base, CALDAV_ALLOW_PRIVATE_NETWORKS: 'false' })).toBe(false);
    expect(allowance({ ...production, CALDAV_ALLOW_PRIVATE_NETWORKS: 'true' })).toBe(true);
    expect(allowance({ ...production, CALDAV_ALLOW_PRIVATE_NETWORKS: '10.1.2.0/24, fd00::/8,192.168.1.5' })).toEqual([
      '10.1.2.0/24',
      'fd00::/8',
      '192.168.1.5',
    ]);
    expect(problems({ ...base, CALDAV_ALLOW_PRIVATE_NETWORKS: 'yes' })).toEqual([
      'CALDAV_ALLOW_PRIVATE_NETWORKS must be true, false or a comma-separated list of addresses or ranges (10.1.2.0/24, fd00::/8)',
    ]);
    expect(problems({ ...base, CALDAV_ALLOW_PRIVATE_NETWORKS: '10.0.0.0/33' })).toHaveLength(1);
  });
});
