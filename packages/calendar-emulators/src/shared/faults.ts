import type { Request, RequestHandler, Response } from 'express';
import { normalizeEmail } from './email';
import type { FaultRuleInput, FaultRuleView } from './types';

// Fault injection: tests script what the "network" and the provider do to the next
// matching requests. Rules are checked in the order they were added; the first one
// that matches (and wins its probability draw) is applied and consumed. The engine
// is provider-neutral: each emulator says who a request is for and what an error
// body looks like.

export interface FaultRule {
  id: string;
  input: FaultRuleInput;
  remaining: number | 'always';
  hits: number;
  /** When each hit reached the rule (epoch ms, wall clock): retry gaps as the server saw them, not as a polling client guesses. */
  hitTimes: number[];
  random: () => number;
}

/** The part of an emulator's state the engine owns. */
export interface FaultState {
  faults: FaultRule[];
  faultSeq: number;
  faultsInjected: number;
}

export interface FaultResponder {
  /** The account (normalized e-mail) the request acts for, once known. */
  accountOf(req: Request): string | undefined;
  /** The body of a `status` answer when the rule gives no `body`. */
  body(input: FaultRuleInput, status: number, req: Request): unknown;
  /** Retry-After (seconds) for a `status` answer whose rule gives none; undefined sends none. */
  defaultRetryAfterSeconds?(status: number): number | undefined;
}

const DEFAULT_SEED = 0x5eed;

/** mulberry32: tiny, fast and good enough to make probabilistic faults repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function addFaultRule(state: FaultState, input: FaultRuleInput): FaultRule {
  state.faultSeq += 1;
  const rule: FaultRule = {
    id: `fault-${state.faultSeq}`,
    input: { ...input },
    remaining: input.times ?? 1,
    hits: 0,
    hitTimes: [],
    random: seededRandom(input.seed ?? DEFAULT_SEED),
  };
  state.faults.push(rule);
  return rule;
}

export function describeFaultRules(state: FaultState): FaultRuleView[] {
  return state.faults.map((rule) => ({
    ...rule.input,
    id: rule.id,
    remaining: rule.remaining,
    hits: rule.hits,
    hitTimes: [...rule.hitTimes],
  }));
}

export function clearFaultRules(state: FaultState): void {
  state.faults = [];
}

function matches(rule: FaultRule, req: Request, account: string | undefined): boolean {
  const { method, path, account: wanted } = rule.input;
  if (method !== undefined && method.toUpperCase() !== req.method) return false;
  if (path !== undefined && !req.originalUrl.includes(path)) return false;
  if (wanted !== undefined && (account === undefined || normalizeEmail(wanted) !== account)) return false;
  return true;
}

/** Finds the rule that fires for this request and consumes one of its uses. */
function takeFault(state: FaultState, req: Request, account: string | undefined): FaultRule | undefined {
  for (const rule of state.faults) {
    if (rule.remaining !== 'always' && rule.remaining <= 0) continue;
    if (!matches(rule, req, account)) continue;
    if (rule.input.probability !== undefined && rule.random() >= rule.input.probability) continue;
    if (rule.remaining !== 'always') rule.remaining -= 1;
    rule.hits += 1;
    rule.hitTimes.push(Date.now());
    state.faultsInjected += 1;
    return rule;
  }
  return undefined;
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
export function injectFaults(state: FaultState, responder: FaultResponder): RequestHandler {
  return async (req, res, next) => {
    const rule = takeFault(state, req, responder.accountOf(req));
    if (!rule) return next();
    const { input } = rule;
    if (input.latencyMs !== undefined && input.latencyMs > 0) await sleep(input.latencyMs);
    if (input.resetConnection) {
      // A TCP RST, so the client sees ECONNRESET rather than a clean close.
      req.socket.resetAndDestroy();
      return;
    }
    if (input.status !== undefined) {
      const retryAfter = input.retryAfterSeconds ?? responder.defaultRetryAfterSeconds?.(input.status);
      if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
      res.status(input.status).json(input.body !== undefined ? input.body : responder.body(input, input.status, req));
      return;
    }
    if (input.dropResponse) dropResponseWhenReady(req, res);
    next();
  };
}
