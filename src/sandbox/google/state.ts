import { normalizeEmail } from '../shared/email';
import type { FaultRule } from '../shared/faults';
import { SlidingWindowRateLimiter } from '../shared/sliding-window';
import type { SandboxLogger } from '../shared/types';
import type { StoredEvent } from './event-model';
import type { AccessType, AccountStats, CodeChallengeMethod, SandboxConfig } from './types';

export { normalizeEmail };
export type { SandboxLogger };

// The whole sandbox lives in memory: one object, reset in place so that the
// Express app and every router keep pointing at the same instance.

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  /** When set, only these redirect URIs are accepted (Google's "Authorized redirect URIs"). */
  redirectUris?: readonly string[];
}

export interface AuthorizationCode {
  code: string;
  email: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  accessType: AccessType;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  expiresAt: number;
  used: boolean;
}

/** One user consent; refresh and access tokens hang off it and die with it. */
export interface Grant {
  id: string;
  email: string;
  clientId: string;
  scope: string;
  refreshToken?: string;
  revoked: boolean;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  email: string;
  scope: string;
  expiresAt: number;
}

/** A page of a list, frozen when the first page was served so later pages stay consistent. */
export interface ListSnapshot {
  items: StoredEvent[];
  /** The calendar's change counter when the snapshot was taken; the final nextSyncToken points here. */
  syncSeq: number;
}

export interface PageCursor {
  snapshot: ListSnapshot;
  offset: number;
}

export interface CalendarStore {
  email: string;
  createdMs: number;
  events: Map<string, StoredEvent>;
  changeSeq: number;
  orderSeq: number;
  syncTokens: Map<string, number>;
  pageTokens: Map<string, PageCursor>;
}

export interface Account {
  email: string;
  calendar: CalendarStore;
  stats: AccountStats;
}

export interface SandboxState {
  readonly clients: Map<string, ClientRegistration>;
  readonly defaults: SandboxConfig;
  config: SandboxConfig;
  accounts: Map<string, Account>;
  codes: Map<string, AuthorizationCode>;
  grants: Map<string, Grant>;
  /** refresh token → grant id */
  refreshTokens: Map<string, string>;
  accessTokens: Map<string, AccessTokenRecord>;
  faults: FaultRule[];
  faultSeq: number;
  faultsInjected: number;
  requests: number;
  readonly rateLimiter: SlidingWindowRateLimiter;
  readonly logger?: SandboxLogger;
  now(): number;
}

export interface CreateStateOptions {
  clients: ClientRegistration[];
  config?: Partial<SandboxConfig>;
  logger?: SandboxLogger;
  now?: () => number;
}

export const DEFAULT_CONFIG: SandboxConfig = {
  accessTokenTtlSeconds: 3600,
  perUserPerMinute: 600,
  enforceScopes: true,
};

export function createSandboxState(options: CreateStateOptions): SandboxState {
  const defaults: SandboxConfig = { ...DEFAULT_CONFIG, ...options.config };
  const state: SandboxState = {
    clients: new Map(options.clients.map((client) => [client.clientId, client])),
    defaults,
    config: { ...defaults },
    accounts: new Map(),
    codes: new Map(),
    grants: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    faults: [],
    faultSeq: 0,
    faultsInjected: 0,
    requests: 0,
    rateLimiter: new SlidingWindowRateLimiter(),
    logger: options.logger,
    now: options.now ?? Date.now,
  };
  return state;
}

/** Forgets everything but the registered OAuth clients and the start-up defaults. */
export function resetSandboxState(state: SandboxState): void {
  state.config = { ...state.defaults };
  state.accounts = new Map();
  state.codes = new Map();
  state.grants = new Map();
  state.refreshTokens = new Map();
  state.accessTokens = new Map();
  state.faults = [];
  state.faultsInjected = 0;
  state.requests = 0;
  state.rateLimiter.clear();
}

export function findAccount(state: SandboxState, email: string): Account | undefined {
  return state.accounts.get(normalizeEmail(email));
}

export function getOrCreateAccount(state: SandboxState, email: string): Account {
  const key = normalizeEmail(email);
  let account = state.accounts.get(key);
  if (!account) {
    account = {
      email: key,
      calendar: {
        email: key,
        createdMs: state.now(),
        events: new Map(),
        changeSeq: 0,
        orderSeq: 0,
        syncTokens: new Map(),
        pageTokens: new Map(),
      },
      stats: { requests: 0, tokenRefreshes: 0, tokenRefreshFailures: 0, rateLimited: 0 },
    };
    state.accounts.set(key, account);
  }
  return account;
}
