import type { Client } from '@temporalio/client';
import type { GoogleSandboxControl } from 'calendar-emulators/google';
import { sleep } from '../../dev/child-processes';
import { workflowProgress } from './describe';

/** Nothing has moved for this long: the change's work, and whatever it set off, is done. */
const QUIET_MS = 1_500;
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Waits until the workflow has nothing in flight (no activity, no workflow task, or it has
 * closed), neither its history nor the sandbox's request count has moved for QUIET_MS, and
 * `done` holds (the calendars show the change). Returns how long that took.
 */
export async function waitUntilSettled(
  client: Client,
  sandbox: GoogleSandboxControl,
  workflowId: string,
  done: () => Promise<boolean>,
): Promise<number> {
  const started = Date.now();
  let last = '';
  let since = Date.now();
  for (;;) {
    const d = await workflowProgress(client, workflowId);
    const idle = d.idle;
    const key = `${d.runId}:${d.historyLength}:${(await sandbox.stats()).requests}`;
    if (key !== last) {
      last = key;
      since = Date.now();
    } else if (idle && Date.now() - since >= QUIET_MS && (await done())) return Date.now() - started;
    if (Date.now() - started > SETTLE_TIMEOUT_MS) throw new Error(`${workflowId} did not settle in ${SETTLE_TIMEOUT_MS / 1000} s`);
    await sleep(200);
  }
}
