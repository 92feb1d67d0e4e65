import type { FaultRuleInput } from 'calendar-emulators/shared';
import { ruleProbabilities, TIMEOUT_LATENCY_MS, type FaultKind } from './fault-mix';

const RULE: Record<FaultKind, FaultRuleInput> = {
  server_error: { status: 503 },
  rate_limited: { status: 429, retryAfterSeconds: 1 },
  dropped_response: { dropResponse: true },
  connection_reset: { resetConnection: true },
  timeout: { latencyMs: TIMEOUT_LATENCY_MS },
};

/** The emulators' probabilistic fault rules for calendar-event calls at `rate`, seeded. */
export function emulatorFaultRules(rate: number, seed: number): FaultRuleInput[] {
  return ruleProbabilities(rate)
    .filter(([, p]) => p > 0)
    .map(([kind, probability], i) => ({ ...RULE[kind], path: '/events', times: 'always', probability, seed: seed + i }));
}
