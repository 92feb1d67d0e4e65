import { normalizeEmail } from '../shared/email';
import type { FaultRule, FaultState } from '../shared/faults';
import { SlidingWindowRateLimiter } from '../shared/sliding-window';
import type { SandboxLogger } from '../shared/types';
import { userIdFor } from './ids';
import type { CodeChallengeMethod, MicrosoftAccountStats, MicrosoftSandboxConfig } from './types';

// The whole Microsoft sandbox lives in memory: one object, reset in place so that the
// Express app and every router keep pointing at the same instance.

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  /** When set, only these redirect URIs are accepted (the app registration's "Redirect URIs"). */
  redirectUris?: readonly string[];
}

export interface AuthorizationCode {
  code: string;
  email: string;
  clientId: string;
  redirectUri: string;
  scope: string;
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
  issuedAt: number;
  /** The newest refresh token of the grant's rotation chain, if the grant has offline_access. */
  currentRefreshToken?: string;
  /** When the grant was revoked (the user's TokensValidFrom), if it was. */
  revokedAt?: number;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  email: string;
  issuedAt: number;
  expiresAt: number;
  /** Set when this token was redeemed and a newer one issued in its place. */
  rotatedAt?: number;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  email: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

/**
 * The account's Exchange mailbox. Calendar events, delta state and subscriptions will
 * hang off it (one mailbox per account) when the Graph calendar surface is emulated.
 */
export interface Mailbox {
  owner: string;
  createdMs: number;
}

export interface Account {
  email: string;
  /** The Graph user id (a GUID). */
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mailbox: Mailbox;
  stats: MicrosoftAccountStats;
}

export interface MicrosoftSandboxState extends FaultState {
  readonly clients: Map<string, ClientRegistration>;
  readonly defaults: MicrosoftSandboxConfig;
  config: MicrosoftSandboxConfig;
  accounts: Map<string, Account>;
  codes: Map<string, AuthorizationCode>;
  grants: Map<string, Grant>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  accessTokens: Map<string, AccessTokenRecord>;
  faults: FaultRule[];
  faultSeq: number;
  faultsInjected: number;
  requests: number;
  /** Graph's per-app-per-mailbox request limit. */
  readonly mailboxLimiter: SlidingWindowRateLimiter;
  readonly logger?: SandboxLogger;
  now(): number;
}

export interface CreateStateOptions {
  clients: ClientRegistration[];
  config?: Partial<MicrosoftSandboxConfig>;
  logger?: SandboxLogger;
  now?: () => number;
}

export const DEFAULT_CONFIG: MicrosoftSandboxConfig = {
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 90 * 24 * 3600,
  strictRotation: false,
  mailboxRequestsPer10Minutes: 10_000,
};

const MAILBOX_WINDOW_MS = 10 * 60 * 1000;

export function createMicrosoftState(options: CreateStateOptions): MicrosoftSandboxState {
  const defaults: MicrosoftSandboxConfig = { ...DEFAULT_CONFIG, ...options.config };
  return {
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
    mailboxLimiter: new SlidingWindowRateLimiter(MAILBOX_WINDOW_MS),
    logger: options.logger,
    now: options.now ?? Date.now,
  };
}

/** Forgets everything but the registered apps and the start-up defaults. */
export function resetMicrosoftState(state: MicrosoftSandboxState): void {
  state.config = { ...state.defaults };
  state.accounts = new Map();
  state.codes = new Map();
  state.grants = new Map();
  state.refreshTokens = new Map();
  state.accessTokens = new Map();
  state.faults = [];
  state.faultsInjected = 0;
  state.requests = 0;
  state.mailboxLimiter.clear();
}

export function findAccount(state: MicrosoftSandboxState, email: string): Account | undefined {
  return state.accounts.get(normalizeEmail(email));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "ada.lovelace@…" → Ada / Lovelace; an explicit display name splits at its first space. */
function names(email: string, displayName?: string): Pick<Account, 'displayName' | 'givenName' | 'surname'> {
  const words = displayName?.trim()
    ? displayName.trim().split(/\s+/)
    : (email.split('@')[0] ?? email).split(/[._-]+/).filter(Boolean).map(capitalize);
  const [given, ...rest] = words;
  return {
    displayName: displayName?.trim() || words.join(' ') || email,
    givenName: given ?? null,
    surname: rest.length > 0 ? rest.join(' ') : null,
  };
}

/** Creates the account on first use; a given display name replaces the current one. */
export function getOrCreateAccount(state: MicrosoftSandboxState, email: string, displayName?: string): Account {
  const key = normalizeEmail(email);
  let account = state.accounts.get(key);
  if (!account) {
    account = {
      email: key,
      id: userIdFor(key),
      ...names(key, displayName),
      mailbox: { owner: key, createdMs: state.now() },
      stats: { requests: 0, tokenRefreshes: 0, tokenRefreshFailures: 0, throttled: 0 },
    };
    state.accounts.set(key, account);
  } else if (displayName?.trim()) {
    Object.assign(account, names(key, displayName));
  }
  return account;
}
