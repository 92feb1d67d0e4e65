import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logging';

let installed = false;
let metricsUrl: string | undefined;

/** Where Temporal Core serves its own Prometheus metrics (workflow/activity task latencies, slots, polls), once installed. */
export function temporalCoreMetricsUrl(): string | undefined {
  return metricsUrl;
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Sends the Temporal SDK's own logs (worker state, core warnings) into our structured logger at
 * WARN and above, instead of the SDK's console output, and has Core export its metrics on a
 * loopback port that /metrics relays. Must run before the first connection.
 */
export function installTemporalRuntime(logger: Logger, opts: { metricsPort?: number } = {}): void {
  if (installed) return;
  installed = true;
  const child = logger.child({ component: 'temporal-sdk' });
  const bindAddress = opts.metricsPort !== undefined ? `127.0.0.1:${opts.metricsPort}` : undefined;
  if (bindAddress) metricsUrl = `http://${bindAddress}/metrics`;
  Runtime.install({
    ...(bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
    logger: new DefaultLogger('WARN', (entry) => {
      child[LEVELS[entry.level]]({ ...(entry.meta ?? {}) }, entry.message);
    }),
  });
}
