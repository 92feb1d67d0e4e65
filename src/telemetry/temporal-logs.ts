import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from '../logging';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** What our own code logs through Temporal (workflow `log`, activity `Context.log`): passed on at every level. */
const OWN_CODE = new Set(['workflow', 'activity', 'nexus']);

/**
 * Temporal's logger (the Runtime's, which workflow and activity loggers write to) routed into
 * pino. Workflow and activity lines keep their level, with the workflow id, run id and workflow
 * or activity type as fields (pino's LOG_LEVEL filters them); the SDK's own lines (worker, Core)
 * only from `sdkMinLevel` up, as they are chatty below it. An activity's task token is dropped:
 * it completes the activity for whoever holds it.
 */
export class TemporalLogRouter implements TemporalLogger {
  constructor(
    private readonly logger: Logger,
    private readonly sdkMinLevel: LogLevel = 'WARN',
  ) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    const { sdkComponent, taskToken: _taskToken, workflowRunId, ...fields } = meta as Record<string, unknown>;
    const component = typeof sdkComponent === 'string' ? sdkComponent : 'worker';
    if (!OWN_CODE.has(component) && RANK[level] < RANK[this.sdkMinLevel]) return;
    // Activities name the run `workflowRunId`; one name for both, as workflows have it.
    const runId = fields['runId'] ?? workflowRunId;
    this.logger[LEVELS[level]]({ component: `temporal-${component}`, ...fields, ...(runId === undefined ? {} : { runId }) }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
