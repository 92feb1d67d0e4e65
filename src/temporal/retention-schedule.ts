import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { Logger } from '../logging';
import type { RetentionInput } from '../workflows/retention';
import { retentionWorkflow } from '../workflows/retention';

/** One schedule per task queue (one deployment), so deployments sharing a namespace keep their own. */
export const retentionScheduleId = (taskQueue: string): string => `retention:${taskQueue}`;

/** Daily at 03:30 UTC, a quiet hour for most; the run is short (batched deletes). */
export const RETENTION_SPEC = { calendars: [{ hour: 3, minute: 30, comment: 'daily retention' }] };

function scheduleOptions(taskQueue: string, retentionMs: number): ScheduleOptions {
  return {
    scheduleId: retentionScheduleId(taskQueue),
    spec: RETENTION_SPEC,
    action: {
      type: 'startWorkflow',
      workflowType: retentionWorkflow,
      workflowId: retentionScheduleId(taskQueue),
      taskQueue,
      args: [{ retentionMs } satisfies RetentionInput],
    },
    // A run still going (a large backlog) is not doubled; a run missed while Temporal was down is made up within a day.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/**
 * Makes the retention schedule match RETENTION: created when missing, its action updated when
 * RETENTION or the task queue changed, deleted when RETENTION is `off`. Idempotent; every worker
 * calls it at start, and a race between two is settled by the update that follows a create refused.
 */
export async function ensureRetentionSchedule(
  client: Client,
  target: { taskQueue: string; retentionMs: number | undefined },
  logger: Pick<Logger, 'info'>,
): Promise<void> {
  const { taskQueue, retentionMs } = target;
  const handle = client.schedule.getHandle(retentionScheduleId(taskQueue));
  if (retentionMs === undefined) {
    try {
      await handle.delete();
      logger.info({ schedule: handle.scheduleId }, 'RETENTION is off: retention schedule deleted');
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    return;
  }
  const options = scheduleOptions(taskQueue, retentionMs);
  try {
    await client.schedule.create(options);
    logger.info({ schedule: options.scheduleId, retentionMs }, 'retention schedule created');
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const described = await handle.describe();
  const action = described.action;
  const current = action.type === 'startWorkflow' ? (action.args?.[0] as RetentionInput | undefined) : undefined;
  if (action.type === 'startWorkflow' && action.taskQueue === taskQueue && current?.retentionMs === retentionMs) return;
  await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  logger.info({ schedule: options.scheduleId, retentionMs }, 'retention schedule updated');
}
