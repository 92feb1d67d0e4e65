import type { ConnectAttemptKind, ConnectAttemptStore } from '../db/connect-attempts';

/** Per-user limits on connecting calendars; none depends on the client's address. */
export interface ConnectLimits {
  /** Calendar accounts a user may have that are not disconnected; reconnecting one is always allowed. */
  maxConnectionsPerUser: number;
  /** Connect attempts a user may make in an hour; 0 = no limit. */
  connectAttemptsPerHour: number;
}

/** A connect refused by a per-user limit; `message` is written for the user. */
export type ConnectLimitRefusal = ConnectionLimitRefusal | AttemptLimitRefusal;
export interface ConnectionLimitRefusal {
  code: 'connection_limit_reached';
  limit: number;
  message: string;
}
export interface AttemptLimitRefusal {
  code: 'too_many_connect_attempts';
  retryAfterSeconds: number;
  message: string;
}

export function connectionLimitReached(limit: number): ConnectionLimitRefusal {
  return {
    code: 'connection_limit_reached',
    limit,
    message: `You already have ${limit} connected calendars, the most allowed. Disconnect one before connecting another.`,
  };
}

export function tooManyConnectAttempts(retryAfterSeconds: number): AttemptLimitRefusal {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return {
    code: 'too_many_connect_attempts',
    retryAfterSeconds,
    message: `Too many attempts to connect a calendar in the last hour. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  };
}

/** Counts one connect attempt of the user, or says why it is refused (the hourly limit reached). */
export async function countConnectAttempt(
  attempts: Pick<ConnectAttemptStore, 'tryRecord'>,
  limits: Pick<ConnectLimits, 'connectAttemptsPerHour'>,
  userId: string,
  kind: ConnectAttemptKind,
): Promise<AttemptLimitRefusal | undefined> {
  if (limits.connectAttemptsPerHour === 0) return undefined;
  const counted = await attempts.tryRecord(userId, kind, limits.connectAttemptsPerHour);
  return counted.ok ? undefined : tooManyConnectAttempts(counted.retryAfterSeconds);
}

/** Thrown by `OAuthConnect.createLink` when a per-user limit refuses a new connect flow. */
export class ConnectLimitError extends Error {
  constructor(readonly refusal: ConnectLimitRefusal) {
    super(refusal.message);
    this.name = 'ConnectLimitError';
  }
}
