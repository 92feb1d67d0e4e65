import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { WORKER_TUNING } from '../../../src/worker-tuning';
import { floorActivities } from './activities';

/**
 * The floor's worker, its own process like the service's: `tsx bench/floor/worker.ts` with
 * TEMPORAL_ADDRESS and TEMPORAL_TASK_QUEUE. Prints "is running" once polling.
 */
async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE!,
    workflowsPath: path.join(__dirname, 'workflows.ts'),
    activities: floorActivities,
    ...WORKER_TUNING,
  });
  process.on('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stderr.write('Floor worker is running\n');
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`floor worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
