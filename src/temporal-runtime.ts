import { Runtime } from '@temporalio/worker';
import type { Logger } from './logging';
import { TemporalLogRouter } from './telemetry/temporal-logs';

let installed = false;
let metricsUrl: string | undefined;

/** Where Temporal Core serves its own Prometheus metrics (workflow/activity task latencies, slots, polls), once installed. */
export function temporalCoreMetricsUrl(): string | undefined {
  return metricsUrl;
}

/**
 * Sends Temporal's logs into our structured logger instead of the SDK's console output: the
 * workflows' and activities' own lines at every level, with their workflow and run ids; the
 * SDK's (worker state, core warnings) at WARN and above (src/telemetry/temporal-logs.ts), and has Core export its metrics on a
 * loopback port that /metrics relays. Must run before the first connection.
 */
export function installTemporalRuntime(logger: Logger, opts: { metricsPort?: number } = {}): void {
  if (installed) return;
  installed = true;
  const bindAddress = opts.metricsPort !== undefined ? `127.0.0.1:${opts.metricsPort}` : undefined;
  if (bindAddress) metricsUrl = `http://${bindAddress}/metrics`;
  Runtime.install({
    ...(bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
    logger: new TemporalLogRouter(logger),
  });
}
