import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Redaction is a second line of defence: code never logs secrets on
 * purpose, and any field that could hold one is censored if it slips through.
 */
const REDACT_PATHS = [
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'email',
  '*.email',
  'accountEmail',
  '*.accountEmail',
  'clientSecret',
  '*.clientSecret',
  'code',
  'codeVerifier',
  '*.codeVerifier',
  'apiKey',
  '*.apiKey',
  'smtpUrl',
  '*.smtpUrl',
];

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'booking-calendar-sync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
