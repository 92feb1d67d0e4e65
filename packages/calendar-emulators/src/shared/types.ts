// Wire types common to every provider emulator. Type-only, so control clients can
// import them without pulling Express into a test process.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type CodeChallengeMethod = 'S256' | 'plain';

export interface FaultRuleInput {
  /** Match: HTTP method (case-insensitive). */
  method?: string;
  /** Match: substring of the request path and query. */
  path?: string;
  /** Match: the account (e-mail) the request acts for. */
  account?: string;
  /** Answer with this status instead of handling the request. */
  status?: number;
  /**
   * The provider's error code for the generated body: a Google reason (rateLimitExceeded,
   * backendError), a Graph error code (TooManyRequests) or an OAuth error (invalid_grant).
   */
  reason?: string;
  message?: string;
  /** Exact JSON body to send instead of a generated one. */
  body?: JsonValue;
  /** Sets the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /** Perform the request for real, then close the socket without answering. */
  dropResponse?: boolean;
  /** Destroy the socket (TCP reset) before doing anything. */
  resetConnection?: boolean;
  /** Delay before handling; alone it is a pass-through with latency. */
  latencyMs?: number;
  /** How many matching requests the rule applies to (default 1); 'always' never runs out. */
  times?: number | 'always';
  /** Chance (0..1) that a matching request is hit; drawn from a PRNG seeded with `seed`. */
  probability?: number;
  seed?: number;
}

export interface FaultRuleView extends FaultRuleInput {
  id: string;
  remaining: number | 'always';
  hits: number;
  /** When each hit reached the rule (epoch ms), oldest first. */
  hitTimes: number[];
}

export interface SandboxLogger {
  error(details: object, message: string): void;
}
