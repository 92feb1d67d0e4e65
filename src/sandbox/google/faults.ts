import { STATUS_CODES } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { requestContext } from './context';
import { googleErrorBody, unauthenticatedBody } from './errors';
import { normalizeEmail, type FaultRule, type SandboxState } from './state';
import type { FaultRuleInput, FaultRuleView } from './types';

// Fault injection: tests script what the "network" and "Google" do to the next
// matching requests. Rules are checked in the order they were added; the first
// one that matches (and wins its probability draw) is applied and consumed.

export type FaultSurface = 'calendar' | 'oauth';

const DEFAULT_SEED = 0x5eed;

/** mulberry32: tiny, fast and good enough to make probabilistic faults repeatable. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function addFaultRule(state: SandboxState, input: FaultRuleInput): FaultRule {
  state.faultSeq += 1;
  const rule: FaultRule = {
    id: `fault-${state.faultSeq}`,
    input: { ...input },
    remaining: input.times ?? 1,
    hits: 0,
    random: seededRandom(input.seed ?? DEFAULT_SEED),
  };
  state.faults.push(rule);
  return rule;
}

export function describeFaultRules(state: SandboxState): FaultRuleView[] {
  return state.faults.map((rule) => ({ ...rule.input, id: rule.id, remaining: rule.remaining, hits: rule.hits }));
}

function matches(rule: FaultRule, req: Request, account: string | undefined): boolean {
  const { method, path, account: wanted } = rule.input;
  if (method !== undefined && method.toUpperCase() !== req.method) return false;
  if (path !== undefined && !req.originalUrl.includes(path)) return false;
  if (wanted !== undefined && (account === undefined || normalizeEmail(wanted) !== account)) return false;
  return true;
}

/** Finds the rule that fires for this request and consumes one of its uses. */
function takeFault(state: SandboxState, req: Request): FaultRule | undefined {
  const account = requestContext(req).account;
  for (const rule of state.faults) {
    if (rule.remaining !== 'always' && rule.remaining <= 0) continue;
    if (!matches(rule, req, account)) continue;
    if (rule.input.probability !== undefined && rule.random() >= rule.input.probability) continue;
    if (rule.remaining !== 'always') rule.remaining -= 1;
    rule.hits += 1;
    state.faultsInjected += 1;
    return rule;
  }
  return undefined;
}

const REASON_MESSAGES: Record<string, string> = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'Rate Limit Exceeded',
  quotaExceeded: 'Calendar usage limits exceeded.',
  dailyLimitExceeded: 'Daily Limit Exceeded',
  backendError: 'Backend Error',
  internalError: 'Internal Error',
  notFound: 'Not Found',
  deleted: 'Resource has been deleted',
  duplicate: 'The requested identifier already exists.',
  conditionNotMet: 'Precondition Failed',
  fullSyncRequired: 'Sync token is no longer valid, a full sync is required.',
  forbidden: 'Forbidden',
  badRequest: 'Bad Request',
};

function defaultApiReason(status: number): string {
  if (status === 403 || status === 429) return 'rateLimitExceeded';
  if (status === 404) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 410) return 'deleted';
  if (status === 412) return 'conditionNotMet';
  if (status >= 500) return 'backendError';
  return 'badRequest';
}

function defaultOAuthError(status: number): string {
  if (status === 401) return 'invalid_client';
  if (status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}

function faultBody(surface: FaultSurface, input: FaultRuleInput, status: number): unknown {
  if (input.body !== undefined) return input.body;
  if (surface === 'oauth') {
    const error = input.reason ?? defaultOAuthError(status);
    return { error, error_description: input.message ?? STATUS_CODES[status] ?? 'Error' };
  }
  if (status === 401 && input.reason === undefined && input.message === undefined) {
    return unauthenticatedBody();
  }
  const reason = input.reason ?? defaultApiReason(status);
  const message = input.message ?? REASON_MESSAGES[reason] ?? STATUS_CODES[status] ?? 'Error';
  return googleErrorBody(status, reason, message);
}

/** "Created but the response was lost": let the handler run, then hang up instead of answering. */
function dropResponseWhenReady(req: Request, res: Response): void {
  const hangUp = (): void => {
    req.socket.destroy();
  };
  res.write = ((): boolean => {
    hangUp();
    return false;
  }) as Response['write'];
  res.end = ((): Response => {
    hangUp();
    return res;
  }) as Response['end'];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Must run after the caller is identified and the body parsed (account matching needs both). */
export function injectFaults(state: SandboxState, surface: FaultSurface): RequestHandler {
  return async (req, res, next) => {
    const rule = takeFault(state, req);
    if (!rule) return next();
    const { input } = rule;
    if (input.latencyMs !== undefined && input.latencyMs > 0) await sleep(input.latencyMs);
    if (input.resetConnection) {
      // A TCP RST, so the client sees ECONNRESET rather than a clean close.
      req.socket.resetAndDestroy();
      return;
    }
    if (input.status !== undefined) {
      if (input.retryAfterSeconds !== undefined) res.set('Retry-After', String(input.retryAfterSeconds));
      res.status(input.status).json(faultBody(surface, input, input.status));
      return;
    }
    if (input.dropResponse) dropResponseWhenReady(req, res);
    next();
  };
}
