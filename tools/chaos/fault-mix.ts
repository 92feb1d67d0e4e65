/**
 * How a fault rate is spread over the kinds of failure a provider shows. Each kind gets its own
 * probabilistic rule; together they hit about `rate` of the requests.
 */
export type FaultKind = 'server_error' | 'rate_limited' | 'dropped_response' | 'connection_reset' | 'timeout';

export const FAULT_WEIGHTS: Record<FaultKind, number> = {
  server_error: 0.3,
  rate_limited: 0.2,
  dropped_response: 0.2,
  connection_reset: 0.2,
  timeout: 0.1,
};

/** A stalled request: longer than the adapters' 20 s request timeout, so the call times out. */
export const TIMEOUT_LATENCY_MS = 21_000;

/**
 * The chance for one rule when the rules are tried one after another: kind k is hit with
 * (about) rate × weight overall.
 */
export function ruleProbabilities(rate: number): Array<[FaultKind, number]> {
  let remaining = 1;
  const out: Array<[FaultKind, number]> = [];
  for (const [kind, weight] of Object.entries(FAULT_WEIGHTS) as Array<[FaultKind, number]>) {
    const overall = rate * weight;
    const p = remaining > 0 ? Math.min(1, overall / remaining) : 0;
    out.push([kind, p]);
    remaining -= overall;
  }
  return out;
}
