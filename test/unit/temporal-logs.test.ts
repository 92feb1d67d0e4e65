import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging';
import { TemporalLogRouter } from '../../src/telemetry/temporal-logs';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    level,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        cb();
      },
    }),
  );
  return { router: new TemporalLogRouter(logger), lines };
}

describe('Temporal logs routed to pino', () => {
  it('passes an activity line on at its level with the workflow id, run id and activity type, without the task token', () => {
    const { router, lines } = capture('debug');
    router.log('DEBUG', 'provider call', {
      sdkComponent: 'activity',
      workflowId: 'booking:b1',
      workflowRunId: 'run-1',
      workflowType: 'bookingWorkflow',
      activityType: 'upsertCalendarEvent',
      activityId: '2',
      attempt: 1,
      taskToken: 'c2VjcmV0LXRhc2stdG9rZW4=',
      outcome: 'ok',
      durationMs: 12,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 20,
      msg: 'provider call',
      component: 'temporal-activity',
      workflowId: 'booking:b1',
      runId: 'run-1',
      activityType: 'upsertCalendarEvent',
      outcome: 'ok',
      durationMs: 12,
    });
    expect(lines[0]).not.toHaveProperty('taskToken');
    expect(lines[0]).not.toHaveProperty('sdkComponent');
  });

  it('passes a workflow line on with its workflow and run ids', () => {
    const { router, lines } = capture('info');
    router.warn('ignored a signal', {
      sdkComponent: 'workflow',
      workflowId: 'booking:b1',
      runId: 'run-1',
      workflowType: 'bookingWorkflow',
    });
    router.debug('below LOG_LEVEL', { sdkComponent: 'workflow', workflowId: 'booking:b1', runId: 'run-1' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'ignored a signal',
        component: 'temporal-workflow',
        workflowId: 'booking:b1',
        runId: 'run-1',
      }),
    ]);
  });

  it("keeps the SDK's own lines from WARN up, whatever LOG_LEVEL lets through", () => {
    const { router, lines } = capture('trace');
    router.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    router.debug('core detail', { sdkComponent: 'core' });
    router.warn('poll failed', { sdkComponent: 'core' });
    router.error('no component');
    expect(lines.map((l) => [l['msg'], l['component'], l['level']])).toEqual([
      ['poll failed', 'temporal-core', 40],
      ['no component', 'temporal-worker', 50],
    ]);
  });
});
